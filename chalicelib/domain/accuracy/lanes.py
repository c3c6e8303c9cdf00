"""A lane: one carrier service from one origin to one destination region."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

# Digits of the postal code that name a region: DE has 95 two-digit regions, AT and CH nine
# one-digit ones (their four-digit codes have far fewer parcels per prefix).
REGION_DIGITS = {"DE": 2, "AT": 1, "CH": 1}
DEFAULT_REGION_DIGITS = 2
SEPARATOR = "|"


def postal_region(country: str, postal_code: str) -> str:
    """``DE-10`` for 10115: the lane's destination, coarse enough to gather parcels."""
    digits = REGION_DIGITS.get(country, DEFAULT_REGION_DIGITS)
    return f"{country}-{postal_code[:digits]}"


@dataclass(frozen=True, slots=True)
class Lane:
    carrier: str
    service: str
    origin: str  # location id
    destination: str  # postal region, e.g. "DE-10"

    @property
    def key(self) -> str:
        return SEPARATOR.join((self.carrier, self.service, self.origin, self.destination))

    @classmethod
    def from_key(cls, key: str) -> Lane:
        carrier, service, origin, destination = key.split(SEPARATOR)
        return cls(carrier, service, origin, destination)

    def describe(self) -> str:
        return f"{self.carrier}/{self.service} {self.origin} → {self.destination}"


def open_days_between(first: date, last: date, is_open: Callable[[date], bool]) -> int:
    """Open days d with first < d ≤ last (0 when last ≤ first): how the engine counts transit."""
    return sum(
        1
        for day in range(first.toordinal() + 1, last.toordinal() + 1)
        if is_open(date.fromordinal(day))
    )
