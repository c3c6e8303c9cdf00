"""Who receives customer notifications, and in which language and time zone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.notifications.values import CustomerChannel

DEFAULT_TIME_ZONE = "UTC"
DEFAULT_CHANNELS: tuple[CustomerChannel, ...] = ("email",)  # SMS needs an explicit opt-in
KNOWN_CHANNELS: tuple[CustomerChannel, ...] = ("email", "sms")

# One zone per country is a default for quiet hours, not a truth: countries spanning several
# zones get their most populous one (US → New York). An explicit customer zone always wins.
COUNTRY_TIME_ZONES: Mapping[str, str] = {
    "DE": "Europe/Berlin",
    "AT": "Europe/Vienna",
    "CH": "Europe/Zurich",
    "LI": "Europe/Vaduz",
    "LU": "Europe/Luxembourg",
    "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels",
    "FR": "Europe/Paris",
    "IT": "Europe/Rome",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "DK": "Europe/Copenhagen",
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "FI": "Europe/Helsinki",
    "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague",
    "IE": "Europe/Dublin",
    "GB": "Europe/London",
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
}


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # unknown name, or not a valid key at all
        return False
    return True


def time_zone_for(country: str | None, time_zone: str | None = None) -> str:
    """The customer's zone: the one given when it is a real IANA zone, else the country's."""
    if time_zone and is_time_zone(time_zone):
        return time_zone
    return COUNTRY_TIME_ZONES.get((country or "").upper(), DEFAULT_TIME_ZONE)


@dataclass(frozen=True, slots=True)
class Recipient:
    # Personal data stays out of repr so that a logged plan or exception never carries it.
    name: str = field(repr=False)
    email: str | None = field(repr=False)
    phone: str | None = field(repr=False)
    locale: str
    time_zone: str
    channels: tuple[CustomerChannel, ...] = DEFAULT_CHANNELS

    @classmethod
    def of(
        cls,
        *,
        name: str,
        email: str | None = None,
        phone: str | None = None,
        locale: str | None = None,
        channels: Iterable[str] | None = None,
        time_zone: str | None = None,
        country: str | None = None,
    ) -> Recipient:
        """Build from the stored customer and destination; fills the zone and channel defaults."""
        return cls(
            name=name,
            email=email or None,
            phone=phone or None,
            locale=locale or "en",
            time_zone=time_zone_for(country, time_zone),
            channels=_channels(channels),
        )

    def address(self, channel: CustomerChannel) -> str | None:
        return self.email if channel == "email" else self.phone


def _channels(given: Iterable[str] | None) -> tuple[CustomerChannel, ...]:
    if given is None:
        return DEFAULT_CHANNELS
    chosen = [name.strip().lower() for name in given]
    return tuple(c for c in KNOWN_CHANNELS if c in chosen)
