"""Canonical tracking events parsed from a carrier webhook, and what one batch reports back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from enum import StrEnum

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders.shipment import ShipmentEvent
from chalicelib.domain.tracking.status import ParcelStatus, SkipReason

# What one webhook may carry and what one event's texts may hold, whichever format it came in:
# the generic format refuses more (its schema), the aggregators' are cut to these (their
# payloads carry a parcel's whole history and the carrier's own texts, which they cannot fix).
MAX_EVENTS = 100
MAX_EVENT_ID = 128
MAX_CARRIER = 64
MAX_TRACKING_NUMBER = 64
MAX_CARRIER_STATUS = 100
MAX_LOCATION = 200
MAX_DESCRIPTION = 500


class EventOutcome(StrEnum):
    """What became of one carrier event, for an outbound parcel or a return parcel alike (or a
    ``SkipReason`` when it changed nothing for a reason of its own)."""

    ACCEPTED = "accepted"  # stored, and its order or return moved with it
    DUPLICATE = "duplicate"  # seen before: nothing written, nothing sent


@dataclass(frozen=True)
class TrackingEvent:
    """One scan of one parcel in canonical terms; the sender's own code travels along."""

    event_id: str
    source: str
    carrier: str
    tracking_number: str
    status: ParcelStatus
    occurred_at: datetime
    carrier_status: str | None = None
    location: str | None = None
    description: str | None = None
    estimated_delivery: date | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.utcoffset() is None:
            raise InvalidInput("occurred_at must carry a UTC offset")

    def shipment_event(self) -> ShipmentEvent:
        """The event as the parcel's timeline keeps it (every field but who sent it, for which
        parcel)."""
        return ShipmentEvent(**{f.name: getattr(self, f.name) for f in fields(ShipmentEvent)})


@dataclass(frozen=True)
class SkippedItem:
    """A checkpoint that produced no event, with the sender's code so it can be looked at."""

    tracking_number: str
    carrier_status: str | None
    reason: SkipReason


@dataclass(frozen=True)
class ParsedBatch:
    events: tuple[TrackingEvent, ...] = ()
    skipped: tuple[SkippedItem, ...] = ()


def derive_event_id(
    source: str, tracking_number: str, occurred_at: datetime, carrier_status: str | None
) -> str:
    """A stable id for senders that give none per checkpoint: a re-delivery hashes the same.

    The instant is normalised to UTC, so the same scan reported with another offset is still
    recognised as a duplicate.
    """
    instant = occurred_at.astimezone(UTC).isoformat()
    key = "\x1f".join((source, tracking_number, instant, carrier_status or ""))
    return hashlib.sha256(key.encode()).hexdigest()[:32]
