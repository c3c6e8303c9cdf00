"""No personal data in any log line; every line carries the request's correlation id."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chalice.local import LambdaContext

from chalicelib.observability import invocation_log_keys, logger, redact
from tests.api.factories import current_order_body, post
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

PERSONAL = {
    "name": "Anna Schmidt",
    "email": "anna@example.com",
    "phone": "+4915112345678",
    "address": "Invalidenstraße 116, 10115 Berlin",
}


def test_captured_lines_hold_no_personal_data(client: Any) -> None:
    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        note = f"call me on {PERSONAL['phone']} or write to {PERSONAL['email']}"
        body = {"rating": 9, "name": PERSONAL["name"], "email": PERSONAL["email"], "note": note}
        client.post(
            "/probe/echo", headers={"Content-Type": "application/json"}, body=json.dumps(body)
        )
        client.get("/probe/raise/bug")
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]

    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(line["message"] == "probe received" for line in lines)
    assert any(line["message"] == "unhandled error in route" for line in lines)
    for value in PERSONAL.values():
        assert value not in text
    assert "Anna" not in text


def test_every_line_has_the_request_correlation_id(client: Any) -> None:
    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        client.get("/probe/raise/bug")
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]

    (line,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert line["level"] == "ERROR"
    assert line["correlation_id"]
    # Generated values stay readable: a timestamp is not a phone number.
    assert "redacted" not in line["timestamp"] and "redacted" not in line["correlation_id"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"email": "a@b.de", "order_id": "1001"}, {"email": "[redacted]", "order_id": "1001"}),
        ({"customer": {"phone": "+49 151 1234567"}}, {"customer": "[redacted]"}),
        ("write to anna.schmidt+shop@example.co.uk", "write to [redacted]"),
        ("ring +49 (151) 123-45678 now", "ring [redacted] now"),
        (["x@y.io", 5], ["[redacted]", 5]),
        ("order 1001 has 2 items", "order 1001 has 2 items"),
        # Ids with phone-length digit runs stay readable; a phone beside them does not.
        ("order LRN-285526-118 confirmed", "order LRN-285526-118 confirmed"),
        ("LRN-285526-118 for +4915112345678", "LRN-285526-118 for [redacted]"),
        ("ORDER#100012345678", "ORDER#100012345678"),
        ({"order_id": "100012345678"}, {"order_id": "100012345678"}),
        ({"tracking_number": "00340434161094042557"}, {"tracking_number": "00340434161094042557"}),
        ({"order_id": {"phone": "+4915112345678"}}, {"order_id": {"phone": "[redacted]"}}),
    ],
)
def test_redaction_rules(value: Any, expected: Any) -> None:
    assert redact(value) == expected


def test_redaction_is_linear_on_long_text() -> None:
    # A quadratic pattern made a 256 KiB body take minutes to log; this must stay instant.
    long_text = "x" * 300_000 + "@"
    assert redact(long_text) == long_text


def test_chalice_leaves_the_powertools_logger_alone() -> None:
    # Chalice names its logger after the app, as Powertools does after the service; Chalice
    # would otherwise add a plain-text handler and drop every line below ERROR.
    from tests.api.conftest import app_under_test

    app = app_under_test()

    assert app.log.name == logger.name
    assert app.log.getEffectiveLevel() <= logging.INFO
    assert all(h.formatter is logger.registered_formatter for h in app.log.handlers)


@contextmanager
def captured() -> Iterator[list[dict[str, Any]]]:
    """The JSON lines the service logger writes inside the block."""
    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


def sender_invocation(function_name: str = "send_notifications") -> None:
    """The SQS sender with one record it cannot read: it logs one error line."""
    from tests.api.conftest import app_under_test

    record = {
        "messageId": "m-1",
        "receiptHandle": "r-1",
        "body": "not a notification",
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:promise-keeper-notifications",
        "awsRegion": "eu-central-1",
        "md5OfBody": "",
    }
    context = LambdaContext(function_name=function_name, memory_size=512, max_runtime_ms=60_000)
    app_under_test().handler_map["send_notifications"]({"Records": [record]}, context)


def test_keys_of_one_request_do_not_reach_the_next_requests_lines(client: Any) -> None:
    # Given an order request (order_id) and a webhook (webhook_source, events) logged before
    assert post(client, "/v1/orders", current_order_body(datetime.now(UTC))).status_code == 201
    body = json.dumps({"events": [{"event_id": "e"}]}).encode()
    headers = senders.generic_headers(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC))
    client.post(
        "/v1/webhooks/generic", headers={"Content-Type": "application/json", **headers}, body=body
    )

    # When a later request logs
    with captured() as lines:
        client.get("/probe/raise/bug")

    # Then its line carries its own keys only
    (line,) = lines
    assert not {"order_id", "webhook_source", "events"} & set(line)
    assert line["correlation_id"]


def test_the_sender_logs_without_the_api_requests_keys(client: Any, aws: dict[str, Any]) -> None:
    assert post(client, "/v1/orders", current_order_body(datetime.now(UTC))).status_code == 201

    with captured() as lines:
        sender_invocation()

    assert [line["message"] for line in lines] == ["unprocessable notification message"]
    assert lines[0]["function_name"] == "send_notifications"
    assert "order_id" not in lines[0]


def test_concurrent_invocations_each_log_their_own_function_name(aws: dict[str, Any]) -> None:
    """The local stack serves HTTP in threads beside the event pump's thread: an API request's
    keys must not reach the sender's lines while both run."""
    request_logged, sender_done = threading.Event(), threading.Event()

    def api_request(_event: Any) -> None:
        logger.thread_safe_append_keys(order_id="1001")
        logger.info("api working")
        request_logged.set()
        sender_done.wait(10)
        logger.info("api done")

    def invoke(name: str, view: Callable[[Any], Any]) -> None:
        event = type("Event", (), {"context": LambdaContext(name, 512, 60_000)})()
        invocation_log_keys(event, view)

    with captured() as lines:
        api = threading.Thread(target=invoke, args=("api_handler", api_request))
        api.start()
        assert request_logged.wait(10)
        sender_invocation()
        sender_done.set()
        api.join(10)

    by_message = {line["message"]: line for line in lines}
    sender = by_message["unprocessable notification message"]
    assert sender["function_name"] == "send_notifications" and "order_id" not in sender
    done = by_message["api done"]
    assert done["function_name"] == "api_handler" and done["order_id"] == "1001"


def test_no_code_appends_keys_that_outlive_its_invocation() -> None:
    # logger.append_keys writes to the logger shared by every later invocation (and thread).
    root = Path(__file__).resolve().parents[2] / "chalicelib"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if re.search(r"logger\.(append_keys|set_correlation_id)\(", path.read_text())
    ]
    assert offenders == []
