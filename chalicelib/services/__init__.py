"""Use cases that combine domain rules with stores and channels."""
