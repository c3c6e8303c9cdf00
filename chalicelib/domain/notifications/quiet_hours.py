"""Quiet hours: no SMS at night in the customer's own time zone; deferred to the morning."""

from __future__ import annotations

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
    now: datetime, time_zone: str, start: time = QUIET_FROM, end: time = QUIET_UNTIL
) -> datetime:
    """``now`` (in UTC) outside quiet hours, else the next ``end`` on the customer's wall clock.

    Computed on local dates, so a night with a DST change still ends at 08:00 local time.
    """
    now_utc = now.astimezone(UTC)
    zone = ZoneInfo(time_zone)
    local = now_utc.astimezone(zone)
    if not is_quiet(local.time(), start, end):
        return now_utc
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
