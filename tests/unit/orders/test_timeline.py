"""The timeline is ordered by when events happened, newest first, never by arrival."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.orders import ShipmentEvent, timeline
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
