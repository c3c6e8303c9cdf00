"""From a sender's checkpoints to a batch: resolve statuses, derive ids, drop duplicates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.domain.tracking.events import (
    MAX_CARRIER_STATUS,
    MAX_DESCRIPTION,
    MAX_EVENTS,
    MAX_LOCATION,
    ParsedBatch,
    SkippedItem,
    TrackingEvent,
    derive_event_id,
)
from chalicelib.domain.tracking.status import SkipReason, StatusMap


@dataclass(frozen=True)
class Checkpoint:
    """One scan as the sender reported it, before mapping."""

    status: str
    detail: str | None
    occurred_at: datetime | None
    location: str | None = None
    description: str | None = None

    @property
    def carrier_status(self) -> str | None:
        """``<status>/<detail>``, the sender's own codes verbatim (the status alone when the
        detail merely repeats it, as 17TRACK's ``InfoReceived`` does)."""
        if self.detail and self.detail != self.status:
            return f"{self.status}/{self.detail}"
        return self.status or None


@dataclass(frozen=True)
class Parcel:
    """What the sender says about the parcel as a whole."""

    source: str
    carrier: str
    tracking_number: str
    estimated_delivery: date | None = None


def build_batch(parcel: Parcel, checkpoints: Iterable[Checkpoint], table: StatusMap) -> ParsedBatch:
    events: dict[str, TrackingEvent] = {}
    skipped: list[SkippedItem] = []
    for checkpoint in checkpoints:
        outcome = _event_or_reason(parcel, checkpoint, table)
        if isinstance(outcome, TrackingEvent):
            # Senders repeat the latest scan (e.g. Shippo's tracking_status is also history).
            events.setdefault(outcome.event_id, outcome)
        else:
            skipped.append(SkippedItem(parcel.tracking_number, checkpoint.carrier_status, outcome))
    ordered = sorted(events.values(), key=lambda event: (event.occurred_at, event.event_id))
    # An aggregator sends the parcel's whole history each time: the newest are what count, and
    # reading a thousand checkpoints made one webhook take seconds.
    for older in ordered[:-MAX_EVENTS]:
        skipped.append(
            SkippedItem(parcel.tracking_number, older.carrier_status, SkipReason.TOO_MANY_EVENTS)
        )
    ordered = ordered[-MAX_EVENTS:]
    if ordered and parcel.estimated_delivery is not None:
        # The sender's estimate is as of now, i.e. after its newest scan; older scans keep none.
        ordered[-1] = replace(ordered[-1], estimated_delivery=parcel.estimated_delivery)
    return ParsedBatch(events=tuple(ordered), skipped=tuple(skipped))


def _event_or_reason(
    parcel: Parcel, checkpoint: Checkpoint, table: StatusMap
) -> TrackingEvent | SkipReason:
    status = table.resolve(checkpoint.status, checkpoint.detail)
    if isinstance(status, SkipReason):
        return status
    if checkpoint.occurred_at is None:
        return SkipReason.NO_TIMESTAMP
    carrier_status = _cut(checkpoint.carrier_status, MAX_CARRIER_STATUS)
    return TrackingEvent(
        event_id=derive_event_id(
            parcel.source, parcel.tracking_number, checkpoint.occurred_at, carrier_status
        ),
        source=parcel.source,
        carrier=parcel.carrier,
        tracking_number=parcel.tracking_number,
        status=status,
        occurred_at=checkpoint.occurred_at,
        carrier_status=carrier_status,
        location=_cut(checkpoint.location, MAX_LOCATION),
        description=_cut(checkpoint.description, MAX_DESCRIPTION),
    )


def _cut(text: str | None, limit: int) -> str | None:
    """The carrier's text, at most ``limit`` characters: it is shown, not parsed, and the sender
    cannot make it shorter."""
    return text[:limit] if text else text
