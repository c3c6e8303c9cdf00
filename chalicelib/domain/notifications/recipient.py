"""Who receives customer notifications, and in which language and time zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from chalicelib.domain.channels import CUSTOMER_CHANNEL_NAMES, CustomerChannel
from chalicelib.domain.time_zones import COUNTRY_TIME_ZONES, DEFAULT_TIME_ZONE, is_time_zone

DEFAULT_CHANNELS: tuple[CustomerChannel, ...] = ("email",)  # SMS needs an explicit opt-in


def time_zone_for(country: str | None, time_zone: str | None = None) -> str:
    """The customer's zone: the one given when it is a real IANA zone, else the country's."""
    return quiet_zones_for(country, time_zone)[0]


def quiet_zones_for(country: str | None, time_zone: str | None = None) -> tuple[str, ...]:
    """The zones whose night holds back an SMS: the customer's own, else all the country's."""
    if time_zone and is_time_zone(time_zone):
        return (time_zone,)
    return COUNTRY_TIME_ZONES.get((country or "").upper(), (DEFAULT_TIME_ZONE,))


@dataclass(frozen=True, slots=True)
class Recipient:
    # Personal data stays out of repr so that a logged plan or exception never carries it.
    name: str = field(repr=False)
    email: str | None = field(repr=False)
    phone: str | None = field(repr=False)
    locale: str
    time_zone: str
    channels: tuple[CustomerChannel, ...] = DEFAULT_CHANNELS
    # Where the customer may be when they gave no zone (a country with several); () = time_zone.
    quiet_zones: tuple[str, ...] = ()

    @property
    def night_zones(self) -> tuple[str, ...]:
        return self.quiet_zones or (self.time_zone,)

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
            quiet_zones=quiet_zones_for(country, time_zone),
        )

    def address(self, channel: CustomerChannel) -> str | None:
        return self.email if channel == "email" else self.phone


def _channels(given: Iterable[str] | None) -> tuple[CustomerChannel, ...]:
    if given is None:
        return DEFAULT_CHANNELS
    chosen = [name.strip().lower() for name in given]
    return tuple(c for c in CUSTOMER_CHANNEL_NAMES if c in chosen)
