"""Hypothesis strategies: carrier events with colliding instants, shown in assorted offsets."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from chalicelib.domain.orders import ParcelStatus, ShipmentEvent
from tests.unit.orders.builders import BERLIN, T0

STATUSES = st.sampled_from(list(ParcelStatus))
# Few distinct instants so that ties (same occurred_at) happen often; the same instant is
# written in different offsets, as different carriers write it.
OCCURRED = st.builds(
    lambda hours, zone: (T0 + timedelta(hours=hours)).astimezone(zone),
    st.integers(min_value=0, max_value=4),
    st.sampled_from([UTC, BERLIN, ZoneInfo("America/New_York")]),
)
ESTIMATES = st.none() | st.sampled_from([date(2026, 12, d) for d in range(22, 27)])
T = TypeVar("T")

EVENT_IDS = st.text(alphabet="abc123", min_size=1, max_size=3)


@st.composite
def shipment_event(draw: st.DrawFn, event_id: str | None = None) -> ShipmentEvent:
    return ShipmentEvent(
        event_id=event_id if event_id is not None else draw(EVENT_IDS),
        status=draw(STATUSES),
        occurred_at=draw(OCCURRED),
        estimated_delivery=draw(ESTIMATES),
    )


@st.composite
def distinct_events(draw: st.DrawFn, max_size: int = 8) -> list[ShipmentEvent]:
    ids = draw(st.lists(EVENT_IDS, min_size=1, max_size=max_size, unique=True))
    return [draw(shipment_event(event_id)) for event_id in ids]


@st.composite
def arrival(draw: st.DrawFn, events: list[T]) -> list[T]:
    """The events in any order, some of them delivered more than once."""
    repeats = draw(st.lists(st.sampled_from(events), max_size=len(events)))
    return draw(st.permutations([*events, *repeats]))
