"""Which carrier events a parcel's record may trust.

A scan dated before the order was placed cannot be about this order (a ``delivered`` dated
2023 once marked a promise of this week kept); a scan dated far ahead would stay the parcel's
newest event for good (an ``in_transit`` dated next year kept a delivered parcel in transit).
Neither changes any state: the event is skipped with its reason, and the rest of the webhook is
applied. A day ahead of the server's clock is allowed: carriers' clocks and offsets are not
ours, and a scan can be stamped with a local time under the wrong offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.date_range import accepted_range
from chalicelib.domain.tracking.carriers import same_carrier
from chalicelib.domain.tracking.events import TrackingEvent
from chalicelib.domain.tracking.status import SkipReason

FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class ParcelOnRecord:
    """What an event is checked against: the parcel's carrier, and since when it can exist."""

    carrier: str | None  # None: no carrier on record (nothing to compare)
    since: datetime  # the placed_at of the order the parcel (or the return parcel) belongs to


def implausible(event: TrackingEvent, parcel: ParcelOnRecord, now: datetime) -> SkipReason | None:
    """Why ``event`` must not move ``parcel``, or None when it may."""
    if parcel.carrier is not None and not same_carrier(parcel.carrier, event.carrier):
        return SkipReason.CARRIER_MISMATCH
    # Aware comparisons convert to UTC without arithmetic: year 1 and 9999 compare, not overflow.
    if event.occurred_at < parcel.since:
        return SkipReason.BEFORE_ORDER
    if event.occurred_at > now + FUTURE_TOLERANCE:
        return SkipReason.IN_FUTURE
    estimate = event.estimated_delivery
    if estimate is not None and not accepted_range(now).holds(estimate):
        return SkipReason.ESTIMATE_OUT_OF_RANGE
    return None
