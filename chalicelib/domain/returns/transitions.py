"""The return's lifecycle as a table, and the one function that consults it.

requested → approved → label_created → in_transit → received → refunded | exchanged, or rejected
with a reason. A return handed in at a store skips the parcel (approved → received), and a
parcel whose first scan is its delivery skips in_transit (label_created → received).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.errors import Conflict, IllegalTransition
from chalicelib.domain.returns.values import (
    HistoryEntry,
    ParcelEvent,
    ReturnRecord,
    ReturnStatus,
    Step,
)

S = ReturnStatus

ALLOWED: Mapping[ReturnStatus, frozenset[ReturnStatus]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.LABEL_CREATED, S.RECEIVED, S.REJECTED}),
    S.LABEL_CREATED: frozenset({S.IN_TRANSIT, S.RECEIVED}),
    S.IN_TRANSIT: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.REFUNDED, S.EXCHANGED, S.REJECTED}),
    S.REFUNDED: frozenset(),
    S.EXCHANGED: frozenset(),
    S.REJECTED: frozenset(),
}

TERMINAL: frozenset[ReturnStatus] = frozenset(s for s, nexts in ALLOWED.items() if not nexts)

# A return parcel's events kept on the return: a real one sees a dozen.
MAX_PARCEL_EVENTS = 50

# The return parcel's canonical carrier status → the return status it means; the rest
# (failed_attempt, exception, returned_to_sender, info_received) is kept but moves nothing.
PARCEL_MOVES: Mapping[str, ReturnStatus] = {
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.IN_TRANSIT,
    "available_for_pickup": S.IN_TRANSIT,
    "delivered": S.RECEIVED,  # delivered to the warehouse: the return has reached the merchant
}


def can_move(current: ReturnStatus, target: ReturnStatus) -> bool:
    return target in ALLOWED[current]


def check_repeat(record: ReturnRecord, step: Step) -> None:
    """A step to the status the return already has is a retry, answered with the return as it
    is; Conflict when it settles the return on other terms than the first did (a refund of
    another amount or currency, an exchange by another order): the first stands, and the
    merchant must hear that the second did not."""
    if step.status != record.status:
        return
    if step.refund is not None and record.refund is not None and step.refund != record.refund:
        raise Conflict(
            f"return {record.return_id} was refunded {record.refund.amount} "
            f"{record.refund.currency}; another amount is not recorded"
        )
    settled = record.exchange_order_id
    if step.exchange_order_id is not None and settled not in (None, step.exchange_order_id):
        raise Conflict(f"return {record.return_id} was exchanged by order {settled}")


def move(record: ReturnRecord, step: Step, now: datetime) -> ReturnRecord:
    """The return after ``step``; IllegalTransition when the table does not allow it.

    The history dates the step when it happened: a carrier's step at its scan (the webhook may
    bring it hours later), any other when it is recorded (``now``).
    """
    if not can_move(record.status, step.status):
        raise IllegalTransition(
            f"return {record.return_id} cannot go from {record.status} to {step.status}"
        )
    happened = step.occurred_at or now
    entry = HistoryEntry(step.status, happened, step.source, step.note, step.event_id)
    moved = replace(
        record, status=step.status, history=(*record.history, entry), version=record.version + 1
    )
    if step.label is not None:
        moved = replace(moved, label=step.label)
    if step.conditions:
        moved = replace(moved, conditions=step.conditions)
    if step.refund is not None:
        moved = replace(moved, refund=step.refund)
    if step.exchange_order_id is not None:
        moved = replace(moved, exchange_order_id=step.exchange_order_id)
    if step.reason is not None:
        moved = replace(moved, rejection_reason=step.reason)
    return moved


def apply_parcel_event(
    record: ReturnRecord, event: ParcelEvent, now: datetime
) -> ReturnRecord | None:
    """The return after its parcel's carrier event; None when it changes nothing: applied
    before, or older than every event a full list keeps and moving nothing.

    The return keeps its parcel's newest ``MAX_PARCEL_EVENTS`` events (the return item holds
    them, and must not grow with whatever a sender repeats). An event moves the return only
    forward along the table: a late in-transit scan after the delivery, or any scan after the
    refund, changes no status.
    """
    if record.knows_parcel_event(event.event_id):
        return None
    events = _newest((*record.parcel_events, event))
    target = PARCEL_MOVES.get(event.status)
    moves = target is not None and can_move(record.status, target)
    if events == record.parcel_events and not moves:
        return None
    kept = replace(record, parcel_events=events, version=record.version + 1)
    if target is None or not moves:
        return kept
    step = Step(target, source="carrier", event_id=event.event_id, occurred_at=event.occurred_at)
    return replace(move(kept, step, now), version=record.version + 1)


def _newest(events: tuple[ParcelEvent, ...]) -> tuple[ParcelEvent, ...]:
    """The ``MAX_PARCEL_EVENTS`` newest by when they happened, in the order they came."""
    if len(events) <= MAX_PARCEL_EVENTS:
        return events
    ranked = sorted(events, key=lambda e: (e.occurred_at, e.event_id), reverse=True)
    newest = {e.event_id for e in ranked[:MAX_PARCEL_EVENTS]}
    return tuple(e for e in events if e.event_id in newest)
