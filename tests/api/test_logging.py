"""No personal data in any log line; every line carries the request's correlation id."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from chalicelib.observability import logger, redact

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
