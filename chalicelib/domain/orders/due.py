"""When the scheduled sweep must look at an order again.

The promise state also moves with the clock alone: a parcel goes silent too long (at_risk), the
promised window ends (late), or a parcel's expected day passes without it and the next possible
day lies after the promise (at_risk; see ``estimate``). ``next_check_at`` is the earliest
instant after ``now`` at which that may happen; the store indexes orders by it and the sweep
re-evaluates what is due. Waking early is harmless (the evaluation is idempotent and emits
nothing); waking late is the bug, so every candidate counts even when it would not change the
state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from chalicelib.domain.orders.policy import DEFAULT_POLICY, PromisePolicy
from chalicelib.domain.orders.promise_state import ParcelProgress, PromiseState, PromiseWindow

# Without a new event these states never change again.
_FINAL_WITHOUT_EVENTS: frozenset[PromiseState] = frozenset(
    {PromiseState.KEPT, PromiseState.BROKEN, PromiseState.LATE}
)


def start_of_day(day: date, zone: tzinfo) -> datetime:
    """The first instant of ``day`` in ``zone`` (where midnight is skipped, the gap's end)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _silence_deadlines(
    parcels: Sequence[ParcelProgress], policy: PromisePolicy
) -> Iterator[datetime]:
    for parcel in parcels:
        limit = policy.silence_limit(parcel.status)
        if parcel.delivered_at is None and limit is not None and parcel.last_scan_at is not None:
            yield parcel.last_scan_at + limit


def _estimate_expiries(
    parcels: Sequence[ParcelProgress], latest: date, zone: tzinfo
) -> Iterator[datetime]:
    # An estimate within the promise is made again once its day has passed: from the next day
    # it may lie after the promise. One after the promise already puts it at risk.
    for parcel in parcels:
        expected = parcel.estimated_delivery
        if parcel.delivered_at is None and expected is not None and expected <= latest:
            yield start_of_day(expected + timedelta(days=1), zone)


def next_check_at(
    window: PromiseWindow,
    zone: tzinfo,
    parcels: Sequence[ParcelProgress],
    state: PromiseState,
    now: datetime,
    policy: PromisePolicy = DEFAULT_POLICY,
) -> datetime | None:
    """The earliest instant after ``now`` at which ``state`` may change without an event.

    In UTC, so that the store's index sorts due times correctly as text.
    """
    if state in _FINAL_WITHOUT_EVENTS:
        return None
    late_from = start_of_day(window.latest + timedelta(days=1), zone)
    candidates = [
        late_from,
        *_silence_deadlines(parcels, policy),
        *_estimate_expiries(parcels, window.latest, zone),
    ]
    upcoming = [moment for moment in candidates if moment > now]
    return min(upcoming).astimezone(UTC) if upcoming else None
