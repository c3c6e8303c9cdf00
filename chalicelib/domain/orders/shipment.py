"""A shipment's tracking state, and how one carrier event moves it.

The state is a function of the *set* of events seen, never of their arrival order: status and
"last event" are those of the newest event by ``event_key`` (occurred_at, then status rank, then
event_id), the carrier estimate is that of the newest event that gave one, and the handover is
the earliest scan. So reordering is harmless, an event applied twice leaves the state it left
the first time, and a terminal status (delivered, returned_to_sender) is only left by an event
that happened later. Which events a parcel has seen is the store's to remember, outside the
order (one small item per event): a set kept in the state grew with every event until the order
could no longer be written.

Before its first carrier event a shipment's ``status`` is ``None``: no canonical status applies
yet, and inventing one (such as "label_created") would leak a non-canonical value into the API
and the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.parcel_status import ParcelStatus, parse_status, rank

EventKey = tuple[datetime, int, str]


@dataclass(frozen=True)
class ShipmentEvent:
    """One canonical carrier event; the carrier's own code and text travel along for the API."""

    event_id: str
    status: ParcelStatus
    occurred_at: datetime
    estimated_delivery: date | None = None
    carrier_status: str | None = None
    location: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if not self.event_id:
            raise InvalidInput("event_id must not be empty")
        if self.occurred_at.utcoffset() is None:
            raise InvalidInput("occurred_at must carry a UTC offset")
        object.__setattr__(self, "status", parse_status(self.status))


def event_key(event: ShipmentEvent) -> EventKey:
    """Total order of events: when they happened, then status rank, then id (deterministic)."""
    return (event.occurred_at, rank(event.status), event.event_id)


@dataclass(frozen=True)
class ShipmentLine:
    sku: str
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidInput("quantity must be at least 1")


@dataclass(frozen=True)
class CarrierEstimate:
    """The carrier's delivery date and the event that gave it.

    The newer estimate wins by (occurred_at, event_id): deterministic, whatever the arrival order.
    """

    delivery: date
    occurred_at: datetime
    event_id: str


@dataclass(frozen=True)
class ShipmentState:
    shipment_id: str
    carrier: str
    tracking_number: str
    items: tuple[ShipmentLine, ...] = ()
    status: ParcelStatus | None = None
    last_event_id: str | None = None
    last_event_at: datetime | None = None
    carrier_estimate: CarrierEstimate | None = None
    # The first carrier scan before delivery (not info_received, which is only a label, nor the
    # delivery itself): the handover that delivered-parcel statistics count transit from. The
    # earliest wins, whatever the arrival order.
    handed_over_at: datetime | None = None
    # How many of its events the parcel's timeline holds (at most MAX_EVENTS_PER_PARCEL): kept
    # with the state, so that a webhook learns without another read whether it must trim.
    kept_events: int = 0

    def __post_init__(self) -> None:
        # The store loads lists and strings; normalise so equal states compare equal.
        object.__setattr__(self, "items", tuple(self.items))
        if self.status is not None:
            object.__setattr__(self, "status", parse_status(self.status))

    @property
    def last_scan_at(self) -> datetime | None:
        """Time of the newest carrier event of any kind.

        The status is set by the newest event, so this is ``last_event_at`` by construction.
        """
        return self.last_event_at

    @property
    def delivered_at(self) -> datetime | None:
        return self.last_event_at if self.status is ParcelStatus.DELIVERED else None

    @property
    def estimated_delivery(self) -> date | None:
        """The carrier's newest estimate; see ``estimate.estimated_delivery`` for the fallback."""
        return self.carrier_estimate.delivery if self.carrier_estimate else None

    def last_event_key(self) -> EventKey | None:
        if self.status is None or self.last_event_at is None or self.last_event_id is None:
            return None
        return (self.last_event_at, rank(self.status), self.last_event_id)


def _newer_estimate(
    current: CarrierEstimate | None, event: ShipmentEvent
) -> CarrierEstimate | None:
    if event.estimated_delivery is None:
        return current
    candidate = CarrierEstimate(event.estimated_delivery, event.occurred_at, event.event_id)
    if current is None:
        return candidate
    newer = (candidate.occurred_at, candidate.event_id) > (current.occurred_at, current.event_id)
    return candidate if newer else current


def _first_scan(current: datetime | None, event: ShipmentEvent) -> datetime | None:
    if event.status in (ParcelStatus.INFO_RECEIVED, ParcelStatus.DELIVERED):
        return current
    return event.occurred_at if current is None else min(current, event.occurred_at)


def apply_event(shipment: ShipmentState, event: ShipmentEvent) -> ShipmentState:
    """The shipment after ``event`` (equal to ``shipment`` when the event was applied before)."""
    moved = replace(
        shipment,
        carrier_estimate=_newer_estimate(shipment.carrier_estimate, event),
        handed_over_at=_first_scan(shipment.handed_over_at, event),
    )
    current = shipment.last_event_key()
    if current is not None and event_key(event) < current:
        return moved  # an older event enters the timeline but never moves the status back
    return replace(
        moved,
        status=event.status,
        last_event_id=event.event_id,
        last_event_at=event.occurred_at,
    )


def apply_events(shipment: ShipmentState, events: Iterable[ShipmentEvent]) -> ShipmentState:
    for event in events:
        shipment = apply_event(shipment, event)
    return shipment
