"""IANA time zone names and each country's zones, apart from notification planning: the request
models check zones and the quote finds the destination's day with this alone, so importing them
does not load the notification rules."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from zoneinfo import available_timezones

DEFAULT_TIME_ZONE = "UTC"

# The zones of a destination country, its most populous first (the default for dates). Quiet
# hours hold when it is night in *any* of them, so a customer who gave no zone is never woken;
# an explicit customer zone always wins. Far-flung zones (Alaska, Hawaii, the Azores' neighbours
# overseas) are left out where they would hold every message for hours: those customers are
# best served by the storefront passing their zone.
COUNTRY_TIME_ZONES: Mapping[str, tuple[str, ...]] = {
    "DE": ("Europe/Berlin",),
    "AT": ("Europe/Vienna",),
    "CH": ("Europe/Zurich",),
    "LI": ("Europe/Vaduz",),
    "LU": ("Europe/Luxembourg",),
    "NL": ("Europe/Amsterdam",),
    "BE": ("Europe/Brussels",),
    "FR": ("Europe/Paris",),
    "IT": ("Europe/Rome",),
    "ES": ("Europe/Madrid", "Atlantic/Canary"),
    "PT": ("Europe/Lisbon", "Atlantic/Azores"),
    "DK": ("Europe/Copenhagen",),
    "SE": ("Europe/Stockholm",),
    "NO": ("Europe/Oslo",),
    "FI": ("Europe/Helsinki",),
    "IS": ("Atlantic/Reykjavik",),
    "IE": ("Europe/Dublin",),
    "GB": ("Europe/London",),
    "PL": ("Europe/Warsaw",),
    "CZ": ("Europe/Prague",),
    "SK": ("Europe/Bratislava",),
    "HU": ("Europe/Budapest",),
    "SI": ("Europe/Ljubljana",),
    "HR": ("Europe/Zagreb",),
    "RO": ("Europe/Bucharest",),
    "BG": ("Europe/Sofia",),
    "GR": ("Europe/Athens",),
    "CY": ("Asia/Nicosia",),
    "MT": ("Europe/Malta",),
    "EE": ("Europe/Tallinn",),
    "LV": ("Europe/Riga",),
    "LT": ("Europe/Vilnius",),
    "US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "CA": ("America/Toronto", "America/Winnipeg", "America/Edmonton", "America/Vancouver",
           "America/Halifax"),
    "AU": ("Australia/Sydney", "Australia/Brisbane", "Australia/Adelaide", "Australia/Perth"),
}  # fmt: skip


def country_time_zone(country: str | None) -> str:
    """The destination country's main zone (its most populous), the one its delivery days are
    counted in; UTC for a country not listed."""
    return COUNTRY_TIME_ZONES.get((country or "").upper(), (DEFAULT_TIME_ZONE,))[0]


def is_time_zone(name: str) -> bool:
    """An IANA zone name the zone database holds: `ZoneInfo` alone would also open files such
    as `localtime` or `posixrules`, which are no zone names."""
    return name in iana_zone_names()


@cache
def iana_zone_names() -> frozenset[str]:
    # Read from the zone database once per container, on first use. Some systems link their
    # own zone in as "localtime": a file there, but no IANA name.
    return frozenset(available_timezones()) - {"localtime"}
