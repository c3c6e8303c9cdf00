"""What changed between two states of an order, as outbox messages for the notification side.

One message per fact: a shipment's status, the order's status, the promise state, or a new
order. Ids are deterministic (``OutboxMessage.make_id``), so a replayed change is recognisable,
and equal states yield no message at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from chalicelib.domain.orders.order import OrderState
from chalicelib.domain.orders.shipment import ShipmentState
from chalicelib.domain.outbox import OutboxKind, OutboxMessage


def _message(
    kind: OutboxKind,
    order_id: str,
    occurred_at: datetime,
    status: str,
    previous: str | None = None,
    shipment_id: str | None = None,
) -> OutboxMessage:
    # Plain strings on the wire, even when a StrEnum member was passed.
    status_text = str(status)
    previous_text = None if previous is None else str(previous)
    return OutboxMessage(
        message_id=OutboxMessage.make_id(kind, order_id, shipment_id, status_text),
        kind=kind,
        order_id=order_id,
        shipment_id=shipment_id,
        status=status_text,
        previous=previous_text,
        occurred_at=occurred_at,
    )


def _shipment_changes(
    order_id: str,
    before: Sequence[ShipmentState],
    after: Sequence[ShipmentState],
    now: datetime,
) -> Iterator[OutboxMessage]:
    previous = {s.shipment_id: s.status for s in before}
    for shipment in sorted(after, key=lambda s: s.shipment_id):
        old = previous.get(shipment.shipment_id)
        if shipment.status is None or shipment.status == old:
            continue
        # When the carrier saw it, not when we heard of it: the sender may quote the time.
        occurred_at = shipment.last_event_at or now
        yield _message(
            "shipment_status", order_id, occurred_at, shipment.status, old, shipment.shipment_id
        )


def outbox_messages(
    before: OrderState | None,
    after: OrderState,
    shipments_before: Sequence[ShipmentState],
    shipments_after: Sequence[ShipmentState],
    now: datetime,
) -> list[OutboxMessage]:
    """Messages for the change from ``before`` (None: the order is new) to ``after``."""
    order_id = after.order_id
    messages: list[OutboxMessage] = []
    if before is None:
        messages.append(_message("order_confirmed", order_id, now, after.status))
    messages.extend(_shipment_changes(order_id, shipments_before, shipments_after, now))
    if before is not None and after.status != before.status:
        messages.append(_message("order_status", order_id, now, after.status, before.status))
    if before is not None and after.promise_state != before.promise_state:
        messages.append(
            _message("promise_state", order_id, now, after.promise_state, before.promise_state)
        )
    return messages
