"""A shipment's events as the API shows them: newest first by when they happened."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.orders.shipment import ShipmentEvent, event_key


def timeline(events: Iterable[ShipmentEvent]) -> list[ShipmentEvent]:
    """Distinct events, newest first by ``event_key`` (occurred_at, status rank, event_id).

    Arrival order plays no part. An event id names one event: the first body seen under an id
    is kept, as the store's conditional write keeps it.
    """
    unique: dict[str, ShipmentEvent] = {}
    for event in events:
        unique.setdefault(event.event_id, event)
    return sorted(unique.values(), key=event_key, reverse=True)
