"""Pure rules: no boto3, no chalice. Values in, values out; time is always injected."""
