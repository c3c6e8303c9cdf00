"""The return's lifecycle table: every pair of statuses, and the return parcel's carrier events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from chalicelib.domain.returns.transitions import MAX_PARCEL_EVENTS
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


@settings(max_examples=200, derandomize=True)
@given(
    scans=st.lists(
        st.tuples(
            st.sampled_from(["info_received", "in_transit", "out_for_delivery", "delivered"]),
            st.integers(-600, 600),  # minutes around 08:00 on the 30th
            st.integers(0, 48 * 60),  # how long the webhook took to bring it
        ),
        min_size=1,
        max_size=6,
    ),
    merchant_step=st.booleans(),
)
def test_a_carrier_step_is_dated_when_its_scan_happened(
    scans: list[tuple[str, int, int]], merchant_step: bool
) -> None:
    # Given a return with its label, its parcel's scans brought in any order, whenever
    record = a_return(S.LABEL_CREATED)
    occurred: dict[str, datetime] = {}
    for n, (status, minutes, delay) in enumerate(scans):
        scan = parcel_event(f"e{n}", status, minutes)
        occurred[scan.event_id] = scan.occurred_at
        moved = apply_parcel_event(record, scan, scan.occurred_at + timedelta(minutes=delay))
        assert moved is not None
        record = moved
    if merchant_step and record.status == S.RECEIVED:
        record = move(record, Step(S.REFUNDED, refund=Money(Decimal("5.00"), "EUR")), NOW)

    # Then each carrier step says when its scan happened, the others when they were recorded
    for entry in record.history:
        if entry.source == "carrier":
            assert entry.event_id is not None and entry.at == occurred[entry.event_id]
        elif entry.status == S.REFUNDED:
            assert entry.at == NOW


def test_a_return_keeps_its_parcels_newest_events_only() -> None:
    record = a_return(S.LABEL_CREATED)
    for n in range(MAX_PARCEL_EVENTS):
        moved = apply_parcel_event(record, parcel_event(f"e{n:02d}", "in_transit", n), NOW)
        assert moved is not None
        record = moved

    newer = apply_parcel_event(record, parcel_event("newer", "in_transit", 500), NOW)
    older = apply_parcel_event(record, parcel_event("older", "in_transit", -5), NOW)

    assert newer is not None
    assert len(newer.parcel_events) == MAX_PARCEL_EVENTS
    assert "e00" not in {e.event_id for e in newer.parcel_events}
    assert older is None  # older than all fifty, and it moves nothing: nothing to write


def test_an_old_scan_that_moves_the_return_is_applied_though_not_kept() -> None:
    record = a_return(S.LABEL_CREATED)
    for n in range(MAX_PARCEL_EVENTS):
        moved = apply_parcel_event(record, parcel_event(f"e{n:02d}", "exception", n + 10), NOW)
        assert moved is not None
        record = moved

    received = apply_parcel_event(record, parcel_event("delivered", "delivered", 0), NOW)

    assert received is not None and received.status == S.RECEIVED
    assert "delivered" not in {e.event_id for e in received.parcel_events}


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
