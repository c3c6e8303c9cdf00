"""Request bodies as a storefront sends them, with overridable fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from chalicelib import deps
from chalicelib.domain.customer_tokens import first_format_token
from chalicelib.domain.errors import DomainError
from tests.conftest import MERCHANT_KEY, TEST_ENV

MERCHANT = {"Authorization": f"Bearer {MERCHANT_KEY}", "Content-Type": "application/json"}


def order_body(order_id: str = "1001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": order_id,
        "placed_at": "2026-12-21T10:15:00+01:00",
        "customer": {
            "name": "Anna Schmidt",
            "email": "anna@example.com",
            "phone": "+4915112345678",
            "locale": "de-DE",
            "channels": ["email", "sms"],
        },
        "destination": {"country": "DE", "postal_code": "10115", "city": "Berlin"},
        "items": [
            {"sku": "TSHIRT-M", "quantity": 2, "name": "T-Shirt M"},
            {"sku": "MUG-BLUE", "quantity": 1, "name": "Becher blau"},
        ],
        "promise": {"method": "standard", "earliest": "2026-12-22", "latest": "2026-12-23"},
    }
    body.update(overrides)
    return body


def shipment_body(shipment_id: str = "S1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shipment_id": shipment_id,
        "carrier": "dhl",
        "tracking_number": "00340434161094042557",
        "items": [{"sku": "TSHIRT-M", "quantity": 2}, {"sku": "MUG-BLUE", "quantity": 1}],
    }
    body.update(overrides)
    return body


def post(client: Any, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, headers=headers or MERCHANT, body=raw)


def body_of(response: Any) -> Any:
    return json.loads(response.body)


def html_of(response: Any) -> str:
    body = response.body
    return body.decode() if isinstance(body, bytes) else str(body)


def token(order_id: str = "1001") -> str:
    """The order's customer token as links carried it before key ids (still valid for the
    order's first token generation: docs/api.md, "Tokens")."""
    return first_format_token(TEST_ENV["PK_TOKEN_SECRET"], order_id)


def daytime_zone(now: datetime) -> str:
    """A zone where it is early afternoon at ``now``: SMS there are not held for quiet hours."""
    hours = (13 - now.hour + 12) % 24 - 12
    return f"Etc/GMT{-hours:+d}"


def current_order_body(now: datetime, order_id: str = "1001", **customer: Any) -> dict[str, Any]:
    """An order placed yesterday, promised for the coming days, by a customer in daylight."""
    today = now.astimezone(ZoneInfo("Europe/Berlin")).date()
    body = order_body(
        order_id,
        placed_at=(now - timedelta(days=1)).isoformat(),
        promise={
            "method": "standard",
            "earliest": (today + timedelta(days=1)).isoformat(),
            "latest": (today + timedelta(days=3)).isoformat(),
        },
    )
    body["customer"] = {**body["customer"], "time_zone": daytime_zone(now), **customer}
    body["customer"] = {k: v for k, v in body["customer"].items() if v is not None}
    return body


@contextmanager
def order_clock(moment: datetime) -> Iterator[None]:
    """The order use cases see ``moment`` as now, inside the block."""
    wired = deps.orders_context
    with mock.patch.object(deps, "orders_context", lambda: replace(wired(), now=lambda: moment)):
        yield


@contextmanager
def received_after_its_scans(source: str, body: bytes) -> Iterator[None]:
    """A webhook of a scenario with fixed dates, received a minute after its newest scan, as a
    carrier sends it: a scan more than a day ahead of the clock changes nothing."""
    try:
        events = deps.webhook_source(source).parse(body).events
    except DomainError:  # not this sender's format: the request is refused before any clock
        events = ()
    newest = max((e.occurred_at for e in events), default=None)
    if newest is None:
        yield
        return
    with order_clock(newest + timedelta(minutes=1)):
        yield
