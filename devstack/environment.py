"""The local stack's environment: the embedded AWS endpoint, dev credentials, resource names."""

from __future__ import annotations

import os

from devstack.resources import queue_names, table_name

HOST = "127.0.0.1"
# Overridable so that a second stack (e.g. the tests) can run beside a developer's `make run`.
AWS_PORT = int(os.environ.get("PK_LOCAL_AWS_PORT", "4566"))
API_PORT = int(os.environ.get("PK_LOCAL_API_PORT", "8000"))
REGION = "eu-central-1"


def local_environment(aws_port: int = AWS_PORT, api_port: int = API_PORT) -> dict[str, str]:
    endpoint = f"http://{HOST}:{aws_port}"
    queues = queue_names()
    return {
        # boto3 reads AWS_ENDPOINT_URL, so the same code talks to AWS and to the embedded one.
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "PK_TABLE_NAME": table_name(),
        "PK_NOTIFICATIONS_QUEUE_URL": f"{endpoint}/123456789012/{queues['NotificationsQueue']}",
        "PK_PUBLIC_BASE_URL": f"http://{HOST}:{api_port}",
        # A developer sees a delivered parcel's effect on the quote within a minute.
        "PK_LEARNED_REFRESH_SECONDS": "30",
        "POWERTOOLS_SERVICE_NAME": "promise-keeper",
        "POWERTOOLS_METRICS_NAMESPACE": "PromiseKeeper",
        # Locally, EMF metric blobs on stdout are noise; the code path is the same.
        "POWERTOOLS_METRICS_DISABLED": "true",
    }


def apply(env: dict[str, str]) -> None:
    """Set the local environment, keeping any PK_* secret the developer exported."""
    for key, value in env.items():
        os.environ.setdefault(key, value) if key.startswith("PK_") else os.environ.__setitem__(
            key, value
        )
