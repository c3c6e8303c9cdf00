"""The ``parcel_delivered`` fact: a delivered parcel's lane, transit, handling lag and outcome.

Built by the carrier-event use case when a shipment first reaches ``delivered``, written in the
same transaction as the event. Transit counts the destination's delivery days after the
handover day (first carrier scan) up to the delivery day, exactly as the engine counts a rule's
``transit_days``; the handling lag counts the origin's handling days after the order day up to
the handover day. Both days are taken in the origin's time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.accuracy.lanes import Lane, open_days_between

KIND = "parcel_delivered"
Learning = Literal["used", "no_handover", "clock_skew"]


class ParcelDelivered(BaseModel):
    """The payload; the projection validates it, so a malformed fact is reported, not counted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lane: str  # Lane.key
    method: str
    delivered_on: date  # the report's day
    promised_earliest: date
    promised_latest: date
    window_days: int  # delivery days the promise spanned (1 = a single day)
    learning: Learning
    transit_days: int | None = None  # None unless learning == "used"
    handling_days: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the use case knows when a parcel is delivered (every instant timezone-aware)."""

    lane: Lane
    method: str
    placed_at: datetime
    handed_over_at: datetime | None  # first carrier scan; None when every scan was lost
    delivered_at: datetime
    promised_earliest: date
    promised_latest: date


def delivered_payload(
    delivery: Delivery,
    *,
    zone: tzinfo,
    delivers: Callable[[date], bool],
    handles: Callable[[date], bool],
) -> ParcelDelivered:
    """The fact's payload. ``zone`` is the origin's zone; ``delivers``/``handles`` the
    destination's delivery days and the origin's handling days."""
    delivered_on = _local(delivery.delivered_at, zone)
    window = 1 + open_days_between(delivery.promised_earliest, delivery.promised_latest, delivers)
    base = {
        "lane": delivery.lane.key,
        "method": delivery.method,
        "delivered_on": delivered_on,
        "promised_earliest": delivery.promised_earliest,
        "promised_latest": delivery.promised_latest,
        "window_days": window,
    }
    handed = delivery.handed_over_at
    if handed is None:
        return ParcelDelivered(**base, learning="no_handover")
    if delivery.delivered_at < handed:  # a carrier clock off: the transit is unknowable
        return ParcelDelivered(**base, learning="clock_skew")
    handed_on = _local(handed, zone)
    return ParcelDelivered(
        **base,
        learning="used",
        transit_days=open_days_between(handed_on, delivered_on, delivers),
        handling_days=open_days_between(_local(delivery.placed_at, zone), handed_on, handles),
    )


def _local(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()
