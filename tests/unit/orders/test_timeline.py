"""The timeline is ordered by when events happened, newest first, never by arrival."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.orders import (
    MAX_EVENTS_PER_PARCEL,
    ShipmentEvent,
    TimelineTrim,
    timeline,
    trim_timeline,
)
from tests.unit.orders.builders import at, event
from tests.unit.orders.strategies import arrival, distinct_events


def test_newest_first_by_occurred_at_not_by_arrival() -> None:
    arrived = [
        event("e2", "out_for_delivery", at(5)),
        event("e3", "delivered", at(7)),
        event("e1", "in_transit", at(1)),
    ]

    assert [e.event_id for e in timeline(arrived)] == ["e3", "e2", "e1"]


def test_duplicates_appear_once_with_the_first_body_seen() -> None:
    first = event("e1", "in_transit", at(1))

    assert timeline([first, first, event("e1", "delivered", at(9))]) == [first]


def test_events_at_the_same_instant_follow_the_status_rank() -> None:
    arrived = [event("b", "delivered", at(3)), event("a", "out_for_delivery", at(3))]

    assert [e.event_id for e in timeline(arrived)] == ["b", "a"]


@given(st.data(), distinct_events())
def test_the_timeline_is_independent_of_arrival_order(
    data: st.DataObject, events: list[ShipmentEvent]
) -> None:
    assert timeline(data.draw(arrival(events))) == timeline(events)


# -- how many events a parcel keeps --------------------------------------------------------------
def hourly(count: int, first: int = 0) -> list[ShipmentEvent]:
    return [event(f"e{n:03d}", "in_transit", at(n)) for n in range(first, first + count)]


def test_a_parcel_below_its_bound_keeps_every_new_event() -> None:
    trim = trim_timeline(hourly(10), hourly(5, first=10), limit=20)

    assert trim == TimelineTrim(kept=frozenset(f"e{n:03d}" for n in range(10, 15)), dropped=())


def test_a_full_timeline_drops_its_oldest_for_each_newer_event() -> None:
    trim = trim_timeline(hourly(20), hourly(3, first=20), limit=20)

    assert trim.kept == {"e020", "e021", "e022"}
    assert trim.dropped == ("e000", "e001", "e002")


def test_a_new_event_older_than_all_a_full_timeline_keeps_is_not_kept() -> None:
    older = event("early", "info_received", at(-5))

    assert trim_timeline(hourly(20), [older], limit=20) == TimelineTrim(frozenset(), ())


def test_a_timeline_stored_beyond_the_bound_is_trimmed_to_it() -> None:
    trim = trim_timeline(hourly(30), hourly(1, first=30), limit=20)

    assert trim.kept == {"e030"}
    assert trim.dropped == tuple(f"e{n:03d}" for n in range(11))


def test_the_default_bound_is_a_hundred_events() -> None:
    assert MAX_EVENTS_PER_PARCEL == 100
    assert trim_timeline(hourly(100), hourly(1, first=100)).dropped == ("e000",)
