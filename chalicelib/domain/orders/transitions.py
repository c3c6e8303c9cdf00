"""The order's transitions: state in, state and outbox messages out.

The order service (``services/orders.py``) reads the order and all its shipments, calls one
function here, and commits what changed together with ``messages`` in one transaction,
conditioned on the stored order's revision: the order is derived from all its shipments, so two
events for sibling shipments must not both commit on stale siblings. An order that did not
change is not written at all. Pass the same ``policy`` and ``estimate_from_rules`` on every
call, or the state would flip between calls that differ only in their arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import NotFound
from chalicelib.domain.orders.changes import outbox_messages
from chalicelib.domain.orders.estimate import EstimateRule
from chalicelib.domain.orders.order import OrderState, cancel_order, evaluate_order
from chalicelib.domain.orders.policy import DEFAULT_POLICY, PromisePolicy
from chalicelib.domain.orders.shipment import ShipmentEvent, ShipmentState, apply_event
from chalicelib.domain.outbox import OutboxMessage


@dataclass(frozen=True)
class Outcome:
    """What to write: ``order`` when it is not the object passed in, ``shipment`` when set."""

    order: OrderState  # the very object passed in when it did not change
    messages: tuple[OutboxMessage, ...] = ()
    shipment: ShipmentState | None = None  # the shipment the event moved (record_event)


def open_order(
    order: OrderState,
    now: datetime,
    policy: PromisePolicy = DEFAULT_POLICY,
    estimate_from_rules: EstimateRule | None = None,
) -> Outcome:
    """A newly registered order, evaluated (it has no shipments yet), with ``order_confirmed``."""
    opened = evaluate_order(order, (), now, policy, estimate_from_rules)
    return Outcome(opened, tuple(outbox_messages(None, opened, (), (), now)))


def record_event(
    order: OrderState,
    shipments: Sequence[ShipmentState],
    shipment_id: str,
    event: ShipmentEvent,
    now: datetime,
    policy: PromisePolicy = DEFAULT_POLICY,
    estimate_from_rules: EstimateRule | None = None,
) -> Outcome:
    """Apply a carrier event to one of the order's ``shipments`` and re-evaluate the order.

    The caller passes events not seen before (the store remembers them); one applied again
    changes nothing and announces nothing, as the state it leaves is the same.
    """
    shipment = next((s for s in shipments if s.shipment_id == shipment_id), None)
    if shipment is None:
        raise NotFound(f"order {order.order_id} has no shipment {shipment_id}")
    moved = apply_event(shipment, event)
    after = [moved if s.shipment_id == shipment_id else s for s in shipments]
    evaluated = evaluate_order(order, after, now, policy, estimate_from_rules)
    messages = outbox_messages(order, evaluated, shipments, after, now)
    return Outcome(evaluated, tuple(messages), shipment=moved)


def reevaluate(
    order: OrderState,
    shipments: Sequence[ShipmentState],
    now: datetime,
    policy: PromisePolicy = DEFAULT_POLICY,
    estimate_from_rules: EstimateRule | None = None,
) -> Outcome:
    """The order re-derived without a carrier event: the scheduled sweep, a shipment registered."""
    evaluated = evaluate_order(order, shipments, now, policy, estimate_from_rules)
    return Outcome(evaluated, tuple(outbox_messages(order, evaluated, shipments, shipments, now)))


def cancel(order: OrderState, now: datetime) -> Outcome:
    """The merchant cancels the order; cancelling again changes and sends nothing."""
    cancelled = cancel_order(order)
    return Outcome(cancelled, tuple(outbox_messages(order, cancelled, (), (), now)))
