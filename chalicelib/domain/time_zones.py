"""IANA time zone names, apart from notification planning: the request models check zones with
this alone, so importing them does not load the notification rules."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones


def is_time_zone(name: str) -> bool:
    """An IANA zone name the zone database holds: `ZoneInfo` alone would also open files such
    as `localtime` or `posixrules`, which are no zone names."""
    return name in iana_zone_names()


@cache
def iana_zone_names() -> frozenset[str]:
    # Read from the zone database once per container, on first use. Some systems link their
    # own zone in as "localtime": a file there, but no IANA name.
    return frozenset(available_timezones()) - {"localtime"}
