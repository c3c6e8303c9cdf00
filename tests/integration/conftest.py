"""The embedded AWS over HTTP: moto's server, one per test process, reset between tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from chalicelib import deps, settings
from devstack.embedded_aws import EmbeddedAWS
from devstack.resources import create_queues, create_tables, table_name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    port = free_port()
    server = EmbeddedAWS(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def embedded_aws(
    environment: None, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """A clean embedded AWS with the resources of infra/resources.json, reached over HTTP."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    create_tables(boto3.client("dynamodb"))
    urls = create_queues(boto3.client("sqs"))
    monkeypatch.setenv("PK_NOTIFICATIONS_QUEUE_URL", urls["NotificationsQueue"])
    settings.reset_caches()
    deps.reset()
    yield {"endpoint": moto_endpoint, "queue_urls": urls, "table": table_name()}
