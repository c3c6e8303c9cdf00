"""The state of an order's delivery promise: on track, at risk, late, kept or broken.

Rules, first match wins (dates are counted in the destination's zone):

| # | condition                                                         | state    |
|---|-------------------------------------------------------------------|----------|
| 1 | all items delivered, last delivery date ≤ latest                  | kept     |
| 2 | all items delivered, last delivery date > latest                  | broken   |
| 3 | today > latest                                                    | late     |
| 4 | an undelivered parcel is in a risky status (policy)               | at_risk  |
| 5 | an undelivered parcel's estimate is after latest                  | at_risk  |
| 6 | an undelivered parcel has been silent ≥ its status's limit        | at_risk  |
| 7 | otherwise                                                         | on_track |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders.policy import DEFAULT_POLICY, PromisePolicy
from chalicelib.domain.parcel_status import ParcelStatus


class PromiseState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    KEPT = "kept"
    BROKEN = "broken"


@dataclass(frozen=True)
class PromiseWindow:
    earliest: date
    latest: date

    def __post_init__(self) -> None:
        if self.earliest > self.latest:
            raise InvalidInput("the promised window ends before it starts")


@dataclass(frozen=True)
class ParcelProgress:
    """What the promise looks at in one shipment (``estimated_delivery`` may be a rule estimate)."""

    status: ParcelStatus | None
    estimated_delivery: date | None
    last_scan_at: datetime | None
    delivered_at: datetime | None


def is_stale(parcel: ParcelProgress, now: datetime, policy: PromisePolicy) -> bool:
    limit = policy.silence_limit(parcel.status)
    if limit is None or parcel.last_scan_at is None:
        return False
    return now - parcel.last_scan_at >= limit


def _at_risk(parcel: ParcelProgress, latest: date, now: datetime, policy: PromisePolicy) -> bool:
    if parcel.status in policy.risky_statuses:
        return True
    if parcel.estimated_delivery is not None and parcel.estimated_delivery > latest:
        return True
    return is_stale(parcel, now, policy)


def last_delivery_date(parcels: Sequence[ParcelProgress], zone: tzinfo) -> date | None:
    moments = [p.delivered_at for p in parcels if p.delivered_at is not None]
    return max(moments).astimezone(zone).date() if moments else None


def promise_state(
    window: PromiseWindow,
    zone: tzinfo,
    parcels: Sequence[ParcelProgress],
    all_delivered: bool,
    now: datetime,
    policy: PromisePolicy = DEFAULT_POLICY,
) -> PromiseState:
    """Apply the rule table of this module's docstring."""
    delivered_on = last_delivery_date(parcels, zone)
    if all_delivered and delivered_on is not None:
        return PromiseState.KEPT if delivered_on <= window.latest else PromiseState.BROKEN
    if now.astimezone(zone).date() > window.latest:
        return PromiseState.LATE
    open_parcels = [p for p in parcels if p.delivered_at is None]
    if any(_at_risk(p, window.latest, now, policy) for p in open_parcels):
        return PromiseState.AT_RISK
    return PromiseState.ON_TRACK
