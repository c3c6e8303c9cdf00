"""The local stack behind `make run`: moto's server as the embedded AWS, Chalice's local server for
HTTP, and an event pump that feeds stream records, queue messages and schedules to the same handler
functions Lambda would call. Development tooling only: never packaged into the Lambda functions."""
