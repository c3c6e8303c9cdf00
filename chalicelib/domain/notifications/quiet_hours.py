"""Quiet hours: no SMS at night in the customer's own time zone; deferred to the morning."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


def is_quiet(local: time, start: time = QUIET_FROM, end: time = QUIET_UNTIL) -> bool:
    """Whether a wall-clock time lies in [start, end); the window may span midnight."""
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def next_send_time(
    now: datetime,
    time_zones: str | Sequence[str],
    start: time = QUIET_FROM,
    end: time = QUIET_UNTIL,
) -> datetime:
    """``now`` (in UTC) if it is day in every zone, else the first instant it is day in all.

    Computed on local dates, so a night with a DST change still ends at 08:00 local time.
    """
    zones = (time_zones,) if isinstance(time_zones, str) else tuple(time_zones)
    moment = now.astimezone(UTC)
    # Waiting for one zone's morning can reach another's evening only where zones lie more
    # than 13 hours apart; the loop then stops after a round per zone, at the last morning.
    for _ in range(len(zones)):
        later = max(_day_in(moment, zone, start, end) for zone in zones)
        if later == moment:
            break
        moment = later
    return moment


def _day_in(now_utc: datetime, time_zone: str, start: time, end: time) -> datetime:
    zone = ZoneInfo(time_zone)
    local = now_utc.astimezone(zone)
    if not is_quiet(local.time(), start, end):
        return now_utc
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
