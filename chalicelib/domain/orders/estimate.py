"""A shipment's expected delivery day, as the customer reads it: the carrier's word while it is
still possible, else our own rules counted from the parcel's latest scan and from today.

Days are counted in the destination's zone (the caller passes it):

| the parcel                                              | expected delivery                    |
|---------------------------------------------------------|--------------------------------------|
| no carrier event yet; delivered; returned to sender     | none: nothing left to expect         |
| the carrier's newest estimate is still possible         | the carrier's day                    |
| else, with the method's delivery days                   | the earliest possible day, or, once  |
|                                                         | that has passed, the first delivery  |
|                                                         | day from today                       |
| else                                                    | none: we cannot say                  |

The earliest day possible after the latest scan (``EARLIEST_AFTER``): the scan's own day for a
parcel out for delivery or ready for pickup, the next delivery day after a failed attempt, else
the method's shortest transit (at least one delivery day) after it. A carrier's estimate is
still possible when it is not before today, and not before the day of the scan it came with or,
when a later scan has come since, not before the earliest day that scan allows. So an estimate
is never before today, never before what the latest scan allows, and a day that passed without
a delivery moves it on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Protocol

from chalicelib.domain.orders.shipment import ShipmentState
from chalicelib.domain.parcel_status import TERMINAL, ParcelStatus


class EstimateRule(Protocol):
    """The promise method's delivery days, for parcels the carrier gives no (possible) estimate
    for (``promise.estimates.transit_estimate``)."""

    @property
    def transit_min(self) -> int:
        """The method's shortest transit, in delivery days."""
        ...

    def nth_after(self, day: date, n: int) -> date:
        """The n-th delivery day after ``day``; n = 0 is ``day`` itself when it is one."""
        ...


SAME_DAY, NEXT_DAY = "same_day", "next_day"
# The latest scan's status → how soon after the scan's day delivery is possible; any other
# status: the method's shortest transit.
EARLIEST_AFTER: Mapping[ParcelStatus, str] = {
    ParcelStatus.OUT_FOR_DELIVERY: SAME_DAY,
    ParcelStatus.AVAILABLE_FOR_PICKUP: SAME_DAY,
    ParcelStatus.FAILED_ATTEMPT: NEXT_DAY,
}


def earliest_after_scan(status: ParcelStatus, scan_day: date, rules: EstimateRule) -> date:
    """The earliest day the parcel can arrive, judged by its latest scan alone."""
    gap = EARLIEST_AFTER.get(status)
    if gap == SAME_DAY:
        return scan_day
    return rules.nth_after(scan_day, 1 if gap == NEXT_DAY else max(1, rules.transit_min))


def estimated_delivery(
    shipment: ShipmentState, zone: tzinfo, now: datetime, rules: EstimateRule | None = None
) -> date | None:
    """The day the customer may expect the parcel, by the table of this module's docstring."""
    status, scan = shipment.status, shipment.last_scan_at
    if status is None or status in TERMINAL or scan is None:
        return None
    today = now.astimezone(zone).date()
    scan_day = scan.astimezone(zone).date()
    carrier = shipment.carrier_estimate
    if carrier is not None:
        # The carrier's word stands for the scan it came with; a later scan it did not see
        # leaves it standing only where our rules allow.
        floor = scan_day
        if rules is not None and carrier.occurred_at < scan:
            floor = earliest_after_scan(status, scan_day, rules)
        if carrier.delivery >= max(today, floor):
            return carrier.delivery
    if rules is None:
        return None
    possible = earliest_after_scan(status, scan_day, rules)
    return possible if possible >= today else rules.nth_after(today, 0)
