"""The embedded AWS over HTTP: moto's server, one per test process, reset between tests."""

from __future__ import annotations

import copy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests
from moto.dynamodb.models.table import Table

from chalicelib import deps, settings
from devstack.embedded_aws import EmbeddedAWS
from devstack.environment import REGION
from devstack.faults import FAULTS
from devstack.local_server import create_server
from devstack.pump import EventPump
from devstack.resources import create_queues, create_tables, table_name, verify_sender
from tests.api.conftest import app_under_test
from tests.api.factories import MERCHANT
from tests.conftest import SENDER, TEST_ENV
from tests.unit.tracking import senders


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


def reset_embedded_aws(endpoint: str) -> dict[str, str]:
    """Empty the embedded AWS and create the resources of infra/resources.json again (the same
    names, so the same queue URLs); the queues' URLs."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    create_tables(boto3.client("dynamodb"))
    urls: dict[str, str] = create_queues(boto3.client("sqs"))
    verify_sender(boto3.client("sesv2"), SENDER)
    return urls


@pytest.fixture
def embedded_aws(
    environment: None, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """A clean embedded AWS with the resources of infra/resources.json, reached over HTTP."""
    FAULTS.clear()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    urls = reset_embedded_aws(moto_endpoint)
    monkeypatch.setenv("PK_NOTIFICATIONS_QUEUE_URL", urls["NotificationsQueue"])
    settings.reset_caches()
    deps.reset()
    yield {"endpoint": moto_endpoint, "queue_urls": urls, "table": table_name()}
    FAULTS.clear()


@pytest.fixture
def api(embedded_aws: dict[str, Any]) -> Iterator[str]:
    """Chalice's local server (threaded, as `make run` serves it) on the embedded AWS."""
    port = free_port()
    server = create_server(app_under_test(), "127.0.0.1", port)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def pump(embedded_aws: dict[str, Any]) -> EventPump:
    """The local event pump over the app under test: stream → relay, queue → sender."""
    return EventPump.connected(app_under_test(), embedded_aws["table"], REGION, log=lambda _: None)


@pytest.fixture
def table_copies(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names of the tables the embedded AWS deep-copies (moto's own rollback copies per write)."""
    copies: list[str] = []
    real: Callable[..., Any] = copy.deepcopy

    def counting(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table):
            copies.append(value.name)
        return real(value, memo)

    monkeypatch.setattr(copy, "deepcopy", counting)
    yield copies


def merchant_post(api: str, path: str, body: dict[str, Any]) -> Any:
    """POST a JSON body as the merchant; the answer's JSON (an error status fails the test)."""
    response = requests.post(f"{api}{path}", data=json.dumps(body), headers=MERCHANT, timeout=30)
    response.raise_for_status()
    return response.json()


def post_carrier_events(api: str, *events: dict[str, Any]) -> dict[str, Any]:
    """POST events in the generic webhook format, signed now with the test secret."""
    body = json.dumps({"events": list(events)}).encode()
    headers = senders.generic_headers(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC))
    response = requests.post(
        f"{api}/v1/webhooks/generic",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=60,
    )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each operation that Schemathesis tests (test_schema_net.py) an id of its own.

    Schemathesis 4.32 names each operation's item ``test_every_operation[METHOD /path]``, but
    pytest 9.2 builds an item's id from the function's name alone: every operation got the same
    id, and pytest-xdist ran only one of them. Remove once Schemathesis sets the id itself.
    """
    for item in items:
        if getattr(item, "operation_label", None) and isinstance(item.parent, pytest.Module):
            parent: Any = item.parent
            item._id = parent.id.child(item.name)
