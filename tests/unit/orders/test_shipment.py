"""A shipment's state follows the newest carrier event, whatever order the events arrive in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders import (
    ParcelStatus,
    ShipmentEvent,
    ShipmentLine,
    ShipmentState,
    apply_event,
    apply_events,
)
from chalicelib.domain.orders.shipment import event_key
from chalicelib.domain.parcel_status import TERMINAL
from tests.unit.orders.builders import at, event, shipment
from tests.unit.orders.strategies import arrival, distinct_events, shipment_event


def test_a_registered_shipment_has_no_status_until_the_first_carrier_event() -> None:
    fresh = shipment()

    assert fresh.status is None
    assert fresh.last_scan_at is None
    assert fresh.delivered_at is None
    assert fresh.estimated_delivery is None


def test_an_event_sets_status_and_last_event() -> None:
    moved = apply_event(shipment(), event("e1", "in_transit", at(2), date(2026, 12, 23)))

    assert moved.status is ParcelStatus.IN_TRANSIT
    assert moved.last_event_id == "e1"
    assert moved.last_event_at == at(2)
    assert moved.last_scan_at == at(2)
    assert moved.estimated_delivery == date(2026, 12, 23)


def test_the_same_event_again_leaves_the_same_state() -> None:
    once = apply_event(shipment(), event("e1", "in_transit", at(2)))

    assert apply_event(once, event("e1", "in_transit", at(2))) == once


def test_the_state_does_not_grow_with_the_events_seen() -> None:
    # The ids a parcel has seen are the store's to remember, outside the order item: a set of
    # them in the state once outgrew DynamoDB's item limit.
    first = event("e-first", "in_transit", at(1))
    newest = event("e-newest", "out_for_delivery", at(4))
    between = [event(f"e{n:04d}", "in_transit", at(2) + timedelta(seconds=n)) for n in range(998)]

    after_all = apply_events(shipment(), [first, *between, newest])

    assert after_all == apply_events(shipment(), [first, newest])


def test_an_older_event_arriving_late_does_not_move_the_status_back() -> None:
    current = apply_event(shipment(), event("e2", "out_for_delivery", at(5)))

    after = apply_event(current, event("e1", "in_transit", at(2)))

    assert after.status is ParcelStatus.OUT_FOR_DELIVERY
    assert after.last_event_id == "e2"


def test_delivered_is_only_left_by_a_later_carrier_event() -> None:
    delivered = apply_events(
        shipment(), [event("e1", "in_transit", at(1)), event("e2", "delivered", at(5))]
    )
    assert delivered.delivered_at == at(5)

    stale = apply_event(delivered, event("e0", "exception", at(4)))
    assert stale.status is ParcelStatus.DELIVERED

    later = apply_event(stale, event("e3", "exception", at(6)))
    assert later.status is ParcelStatus.EXCEPTION
    assert later.delivered_at is None


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # Same instant: the status rank decides, in both arrival orders.
        ("out_for_delivery", "delivered", ParcelStatus.DELIVERED),
        ("delivered", "out_for_delivery", ParcelStatus.DELIVERED),
        ("in_transit", "exception", ParcelStatus.EXCEPTION),
        ("failed_attempt", "info_received", ParcelStatus.FAILED_ATTEMPT),
        ("returned_to_sender", "delivered", ParcelStatus.DELIVERED),
    ],
)
def test_events_at_the_same_instant_are_ordered_by_status_rank(
    first: str, second: str, expected: ParcelStatus
) -> None:
    state = apply_events(shipment(), [event("a", first, at(3)), event("b", second, at(3))])

    assert state.status is expected


def test_same_instant_and_status_rank_falls_back_to_the_event_id() -> None:
    one = apply_events(
        shipment(), [event("b", "in_transit", at(3)), event("a", "in_transit", at(3))]
    )
    two = apply_events(
        shipment(), [event("a", "in_transit", at(3)), event("b", "in_transit", at(3))]
    )

    assert one.last_event_id == two.last_event_id == "b"


def test_the_estimate_comes_from_the_newest_event_that_gave_one() -> None:
    state = apply_events(
        shipment(),
        [
            event("e2", "in_transit", at(5), date(2026, 12, 24)),
            event("e3", "in_transit", at(8)),  # newest, but without an estimate
            event("e1", "info_received", at(1), date(2026, 12, 23)),  # older estimate
        ],
    )

    assert state.estimated_delivery == date(2026, 12, 24)
    assert state.last_event_id == "e3"


def test_an_event_without_utc_offset_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        ShipmentEvent("e1", ParcelStatus.IN_TRANSIT, datetime(2026, 12, 21, 9, 0))


@given(st.data(), distinct_events())
def test_final_state_is_independent_of_arrival_order_and_duplicates(
    data: st.DataObject, events: list[ShipmentEvent]
) -> None:
    first = apply_events(shipment(), data.draw(arrival(events)))
    second = apply_events(shipment(), data.draw(arrival(events)))

    assert first == second
    assert first == apply_events(shipment(), events)


@given(distinct_events())
def test_final_state_is_that_of_the_newest_event(events: list[ShipmentEvent]) -> None:
    state = apply_events(shipment(), events)

    newest = max(events, key=event_key)
    assert (state.status, state.last_event_id) == (newest.status, newest.event_id)
    assert state.last_event_at == max(e.occurred_at for e in events)
    estimating = [e for e in events if e.estimated_delivery is not None]
    expected = max(estimating, key=lambda e: (e.occurred_at, e.event_id), default=None)
    assert state.estimated_delivery == (expected.estimated_delivery if expected else None)


@given(distinct_events(), shipment_event())
def test_applying_an_event_twice_equals_applying_it_once(
    events: list[ShipmentEvent], extra: ShipmentEvent
) -> None:
    state = apply_events(shipment(), events)

    once = apply_event(state, extra)

    assert apply_event(once, extra) == once


@given(distinct_events(), shipment_event(event_id="late-arrival"))
def test_an_older_event_never_moves_the_status_back(
    events: list[ShipmentEvent], extra: ShipmentEvent
) -> None:
    state = apply_events(shipment(), events)
    assert state.last_event_at is not None
    older = replace(extra, occurred_at=state.last_event_at - timedelta(hours=1))

    after = apply_event(state, older)

    assert (after.status, after.last_event_id) == (state.status, state.last_event_id)


NOT_TERMINAL = sorted(set(ParcelStatus) - TERMINAL)


@given(
    distinct_events(),
    st.sampled_from(sorted(TERMINAL)),
    st.sampled_from(NOT_TERMINAL),
    shipment_event(event_id="older"),
)
def test_a_terminal_status_is_only_left_by_a_later_event(
    events: list[ShipmentEvent],
    terminal: ParcelStatus,
    same_instant: ParcelStatus,
    older: ShipmentEvent,
) -> None:
    # The generated events happen at most four hours after T0; the terminal one after them all.
    state = apply_events(shipment(), [*events, event("terminal", terminal, at(5))])

    after = apply_events(state, [older, event("tie", same_instant, at(5))])
    assert after.status is terminal

    left = apply_event(after, event("later", same_instant, at(6)))
    assert left.status is same_instant


def test_a_state_loaded_as_plain_values_equals_the_one_built_by_events() -> None:
    built = apply_event(shipment(), event("e1", "in_transit", at(2)))

    loaded = ShipmentState(
        shipment_id="S1",
        carrier="dhl",
        tracking_number="TRK-S1",
        items=[ShipmentLine("TSHIRT", 1)],  # type: ignore[arg-type]
        status="in_transit",  # type: ignore[arg-type]
        last_event_id="e1",
        last_event_at=at(2),
        handed_over_at=at(2),
    )

    assert loaded == built
    assert loaded.status is ParcelStatus.IN_TRANSIT


def test_the_handover_is_the_first_scan_whatever_the_arrival_order() -> None:
    label = event("e0", "info_received", at(0))
    first = event("e1", "in_transit", at(1))
    later = event("e2", "out_for_delivery", at(3))

    in_order = apply_events(shipment(), [label, first, later])
    reversed_order = apply_events(shipment(), [later, first, label])

    assert in_order.handed_over_at == reversed_order.handed_over_at == at(1)
    assert apply_event(shipment(), label).handed_over_at is None


def test_an_unknown_status_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        ShipmentEvent("e1", "lost_in_space", at(1))  # type: ignore[arg-type]
