"""What the planning rules need to know about an order; the sender maps the stored order to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.notifications.recipient import Recipient


@dataclass(frozen=True, slots=True)
class ShipmentSnapshot:
    shipment_id: str
    carrier: str
    tracking_number: str
    status: str | None = None  # canonical parcel status now; None before the first carrier event
    estimated_delivery: date | None = None
    delivered_at: datetime | None = None  # when the carrier says it arrived (event time)
    location: str | None = None  # latest event's place: the pickup point when awaiting pickup


@dataclass(frozen=True, slots=True)
class OrderSnapshot:
    """The order as it is when the sender reads it (after the change that wrote the message)."""

    order_id: str
    status: str  # derived order status: confirmed, partially_shipped, ..., delivered
    recipient: Recipient
    tracking_url: str
    shipments: tuple[ShipmentSnapshot, ...] = ()  # in registration order: "parcel 1 of 2"
    promise_state: str | None = None  # on_track, at_risk, late, kept, broken
    promised_earliest: date | None = None
    promised_latest: date | None = None
    rating_url: str | None = None  # the rating page; the delivered message links ten scores

    @property
    def is_split(self) -> bool:
        return len(self.shipments) > 1

    def shipment(self, shipment_id: str | None) -> ShipmentSnapshot | None:
        return next((s for s in self.shipments if s.shipment_id == shipment_id), None)
