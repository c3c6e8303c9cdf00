"""A shipment's events as the API shows them, and how many of them a parcel keeps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chalicelib.domain.orders.shipment import ShipmentEvent, event_key

# Real parcels see a few dozen scans; a sender repeating or inventing scans must not make every
# read of the order slower (a thousand events once took seconds to read back).
MAX_EVENTS_PER_PARCEL = 100


def timeline(events: Iterable[ShipmentEvent]) -> list[ShipmentEvent]:
    """Distinct events, newest first by ``event_key`` (occurred_at, status rank, event_id).

    Arrival order plays no part. An event id names one event: the first body seen under an id
    is kept, as the store's conditional write keeps it.
    """
    unique: dict[str, ShipmentEvent] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    return sorted(unique.values(), key=event_key, reverse=True)


@dataclass(frozen=True)
class TimelineTrim:
    """Which of a parcel's new events enter its timeline, and which stored ones leave it."""

    kept: frozenset[str]  # ids of new events the timeline keeps
    dropped: tuple[str, ...]  # ids of stored events it no longer keeps, oldest first


def trim_timeline(
    stored: Iterable[ShipmentEvent],
    new: Sequence[ShipmentEvent],
    limit: int = MAX_EVENTS_PER_PARCEL,
) -> TimelineTrim:
    """A parcel keeps its ``limit`` newest events (by ``event_key``, as the timeline shows them).

    Every new event still moves the parcel's state; only the timeline forgets the oldest. A new
    event older than all the parcel keeps on a full timeline is not kept at all.
    """
    kept_before = list(stored)
    stored_ids = {event.event_id for event in kept_before}
    merged = timeline([*kept_before, *new])
    newest = {event.event_id for event in merged[:limit]}
    return TimelineTrim(
        kept=frozenset(e.event_id for e in new if e.event_id in newest) - stored_ids,
        dropped=tuple(e.event_id for e in reversed(merged[limit:]) if e.event_id in stored_ids),
    )
