"""Small factories for notification tests: a German customer in Berlin with one order "1001"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.domain.customer_tokens import first_format_token
from chalicelib.domain.notifications import OrderSnapshot, Recipient, ShipmentSnapshot
from chalicelib.domain.outbox import OutboxKind, OutboxMessage

ORDER_ID = "1001"
NOW = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)  # 11:00 in Berlin: outside quiet hours
# The shape of a real tracking link: base URL, order id and the 43-character customer token.
TRACKING_URL = f"https://track.shop.example/t/{ORDER_ID}?token={first_format_token('s', ORDER_ID)}"


def recipient(**changes: Any) -> Recipient:
    base = Recipient(
        name="Anna Schmidt",
        email="anna@example.com",
        phone="+4915112345678",
        locale="de-DE",
        time_zone="Europe/Berlin",
        channels=("email", "sms"),
    )
    return replace(base, **changes)


def shipment(
    shipment_id: str = "S1", status: str | None = "in_transit", **changes: Any
) -> ShipmentSnapshot:
    base = ShipmentSnapshot(
        shipment_id=shipment_id,
        carrier="dhl",
        tracking_number=f"00340434161094042{shipment_id}",
        status=status,
        estimated_delivery=date(2026, 12, 24),
    )
    return replace(base, **changes)


def order(*shipments: ShipmentSnapshot, status: str = "shipped", **changes: Any) -> OrderSnapshot:
    base = OrderSnapshot(
        order_id=ORDER_ID,
        status=status,
        recipient=recipient(),
        tracking_url=TRACKING_URL,
        shipments=shipments,
        promise_state="on_track",
        promised_earliest=date(2026, 12, 23),
        promised_latest=date(2026, 12, 24),
    )
    return replace(base, **changes)


def message(
    kind: OutboxKind,
    status: str | None = None,
    *,
    shipment_id: str | None = None,
    return_id: str | None = None,
    previous: str | None = None,
    occurred_at: datetime = NOW,
) -> OutboxMessage:
    ref = shipment_id or return_id
    return OutboxMessage(
        message_id=OutboxMessage.make_id(kind, ORDER_ID, ref, status),
        kind=kind,
        order_id=ORDER_ID,
        shipment_id=shipment_id,
        return_id=return_id,
        status=status,
        previous=previous,
        occurred_at=occurred_at,
    )
