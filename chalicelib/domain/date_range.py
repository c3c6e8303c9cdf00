"""The dates the system takes from outside: a range around now, the same for every field.

Orders, promises and carrier scans are about the present: a date far from today is a typo or a
hostile value. Years 1 and 9999 overflowed date arithmetic, and a scan dated 2200 would stay the
"newest" event of its parcel forever. Five years back leaves room for late imports and replays;
one year ahead covers every promise and carrier estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

YEARS_BEFORE = 5
YEARS_AFTER = 1
DESCRIPTION = f"between {YEARS_BEFORE} years before and {YEARS_AFTER} year after the present"


@dataclass(frozen=True)
class AcceptedRange:
    earliest: datetime
    latest: datetime

    def holds(self, value: date) -> bool:
        """Whether a calendar day or an aware instant lies inside the range."""
        if isinstance(value, datetime):
            # Aware comparison converts to UTC without datetime arithmetic: no OverflowError.
            return self.earliest <= value <= self.latest
        return self.earliest.date() <= value <= self.latest.date()

    @property
    def message(self) -> str:
        return (
            f"Input should lie between {self.earliest.date().isoformat()} "
            f"and {self.latest.date().isoformat()}"
        )


def accepted_range(now: datetime) -> AcceptedRange:
    """The range around an aware `now` (leap days: whole years of 366 days, never less)."""
    return AcceptedRange(
        earliest=now - timedelta(days=366 * YEARS_BEFORE),
        latest=now + timedelta(days=366 * YEARS_AFTER),
    )
