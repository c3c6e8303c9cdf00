"""The return's lifecycle table: every pair of statuses, and the return parcel's carrier events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest

from chalicelib.domain.errors import Conflict, IllegalTransition
from chalicelib.domain.returns import (
    ALLOWED,
    TERMINAL,
    ItemCondition,
    Money,
    ParcelEvent,
    ReturnLabel,
    ReturnRecord,
    ReturnStatus,
    Step,
    apply_parcel_event,
    check_repeat,
    move,
)
from tests.unit.returns.builders import REQUESTED_AT, a_return

S = ReturnStatus
NOW = REQUESTED_AT + timedelta(days=2)
LIFECYCLE = [S.APPROVED, S.LABEL_CREATED, S.IN_TRANSIT, S.RECEIVED, S.REFUNDED]
LEGAL = {
    (S.REQUESTED, S.APPROVED),
    (S.REQUESTED, S.REJECTED),
    (S.APPROVED, S.LABEL_CREATED),
    (S.APPROVED, S.RECEIVED),
    (S.APPROVED, S.REJECTED),
    (S.LABEL_CREATED, S.IN_TRANSIT),
    (S.LABEL_CREATED, S.RECEIVED),
    (S.IN_TRANSIT, S.RECEIVED),
    (S.RECEIVED, S.REFUNDED),
    (S.RECEIVED, S.EXCHANGED),
    (S.RECEIVED, S.REJECTED),
}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_a_move_is_allowed_exactly_when_the_table_lists_it(
    current: ReturnStatus, target: ReturnStatus
) -> None:
    record = a_return(current)

    if (current, target) in LEGAL:
        moved = move(record, Step(target), NOW)
        assert moved.status == target
        assert moved.history[-1].status == target
        assert moved.version == record.version + 1
    else:
        with pytest.raises(IllegalTransition):
            move(record, Step(target), NOW)


def test_the_table_names_every_status_and_the_final_ones_lead_nowhere() -> None:
    assert set(ALLOWED) == set(S)
    assert {S.REFUNDED, S.EXCHANGED, S.REJECTED} == TERMINAL


def test_the_whole_lifecycle_keeps_its_history_and_what_each_step_carried() -> None:
    label = ReturnLabel("dhl", "RET-1", qr_code="QR-DATA")
    steps = [
        Step(S.APPROVED),
        Step(S.LABEL_CREATED, label=label),
        Step(S.IN_TRANSIT, source="carrier", event_id="e1"),
        Step(S.RECEIVED, conditions=(ItemCondition("TSHIRT-M", "as_new"),)),
        Step(S.REFUNDED, refund=Money(Decimal("19.90"), "EUR")),
    ]
    record = a_return()

    for n, step in enumerate(steps):
        record = move(record, step, NOW + timedelta(hours=n))

    assert [h.status for h in record.history] == [S.REQUESTED, *LIFECYCLE]
    assert record.label == label
    assert record.conditions == (ItemCondition("TSHIRT-M", "as_new"),)
    assert record.refund is not None and str(record.refund.amount) == "19.90"
    assert record.history[3].source == "carrier"


def test_a_rejection_keeps_its_reason() -> None:
    rejected = move(a_return(), Step(S.REJECTED, reason="worn"), NOW)

    assert (rejected.status, rejected.rejection_reason) == (S.REJECTED, "worn")


def parcel_event(event_id: str, status: str, minutes: int = 0) -> ParcelEvent:
    return ParcelEvent(
        event_id, status, datetime(2026, 12, 30, 8, tzinfo=UTC) + timedelta(minutes=minutes)
    )


@pytest.mark.parametrize(
    ("current", "parcel_status", "expected"),
    [
        (S.LABEL_CREATED, "info_received", S.LABEL_CREATED),
        (S.LABEL_CREATED, "in_transit", S.IN_TRANSIT),
        (S.LABEL_CREATED, "out_for_delivery", S.IN_TRANSIT),
        (S.LABEL_CREATED, "delivered", S.RECEIVED),
        (S.IN_TRANSIT, "in_transit", S.IN_TRANSIT),
        (S.IN_TRANSIT, "delivered", S.RECEIVED),
        (S.IN_TRANSIT, "exception", S.IN_TRANSIT),
        (S.RECEIVED, "in_transit", S.RECEIVED),  # a late scan never moves it back
        (S.REFUNDED, "delivered", S.REFUNDED),
    ],
)
def test_the_return_parcel_moves_the_return_only_forward(
    current: ReturnStatus, parcel_status: str, expected: ReturnStatus
) -> None:
    record = a_return(current)

    after = apply_parcel_event(record, parcel_event("e1", parcel_status), NOW)

    assert after is not None
    assert after.status == expected
    assert [e.event_id for e in after.parcel_events] == ["e1"]
    assert after.version == record.version + 1


def test_the_same_parcel_event_again_changes_nothing() -> None:
    once = apply_parcel_event(a_return(S.LABEL_CREATED), parcel_event("e1", "in_transit"), NOW)
    assert once is not None

    assert apply_parcel_event(once, parcel_event("e1", "in_transit"), NOW) is None


def test_events_in_any_order_end_at_received() -> None:
    delivered, moving = parcel_event("e2", "delivered", 60), parcel_event("e1", "in_transit")
    record = apply_parcel_event(a_return(S.LABEL_CREATED), delivered, NOW)
    assert record is not None
    record = apply_parcel_event(record, moving, NOW)

    assert record is not None
    assert record.status == S.RECEIVED
    assert [h.status for h in record.history][-1] == S.RECEIVED


REFUND = Money(Decimal("19.90"), "EUR")


@pytest.mark.parametrize(
    ("settled", "again", "conflict"),
    [
        (a_return(S.REFUNDED, refund=REFUND), Step(S.REFUNDED, refund=REFUND), False),
        (
            a_return(S.REFUNDED, refund=REFUND),
            Step(S.REFUNDED, refund=Money(Decimal("19.9"), "EUR")),  # the same amount
            False,
        ),
        (
            a_return(S.REFUNDED, refund=REFUND),
            Step(S.REFUNDED, refund=Money(Decimal("199.00"), "EUR")),
            True,
        ),
        (
            a_return(S.REFUNDED, refund=REFUND),
            Step(S.REFUNDED, refund=Money(Decimal("19.90"), "CHF")),
            True,
        ),
        (
            a_return(S.EXCHANGED, exchange_order_id="1001-X"),
            Step(S.EXCHANGED, exchange_order_id="1001-X"),
            False,
        ),
        (
            a_return(S.EXCHANGED, exchange_order_id="1001-X"),
            Step(S.EXCHANGED, exchange_order_id="1001-Y"),
            True,
        ),
        (a_return(S.APPROVED), Step(S.APPROVED, note="again"), False),
    ],
)
def test_a_step_repeated_on_other_terms_is_a_conflict_and_on_the_same_a_retry(
    settled: ReturnRecord, again: Step, conflict: bool
) -> None:
    if conflict:
        with pytest.raises(Conflict):
            check_repeat(settled, again)
    else:
        check_repeat(settled, again)
