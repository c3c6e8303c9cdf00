"""Working-day arithmetic: the days a location hands parcels over and a carrier delivers.

Holiday calendars are cached per (country, subdivision, year). Each calendar derives, per year, a
table "first open day on or after this day", so a quote costs dictionary look-ups, not date walks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time
from functools import cache, lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from chalicelib.domain.promise.holiday_classes import country_class

WEEKEND = frozenset({5, 6})
MAX_CLOSED_RUN = 366  # longer than any closure run a sane rule set can produce
_YEARS_KEPT = 6  # a container quotes around "now": old tables are dropped, not hoarded
_INSTANTS_KEPT = 4096


@cache
def _local_language(country: str) -> str | None:
    language: str | None = country_class(country).default_language
    return language


@lru_cache(maxsize=512)
def public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """Public holidays of one year, named in the country's own language (e.g. "Buß- und Bettag")."""
    calendar = country_class(country)(
        subdiv=subdivision, years=year, language=_local_language(country)
    )
    return MappingProxyType(dict(calendar))


class DayCalendar:
    """Open days: the given weekdays, minus a region's public holidays, minus closure dates."""

    __slots__ = (
        "weekdays",
        "country",
        "subdivision",
        "annual_closures",
        "closures",
        "_next",
        "_nth",
        "_windows",
        "_years",
    )

    def __init__(
        self,
        *,
        weekdays: frozenset[int],
        country: str,
        subdivision: str | None = None,
        annual_closures: frozenset[tuple[int, int]] = frozenset(),
        closures: frozenset[date] = frozenset(),
    ) -> None:
        if not weekdays:
            raise ValueError("a calendar needs at least one open weekday")
        self.weekdays = weekdays
        self.country = country
        self.subdivision = subdivision
        self.annual_closures = annual_closures  # (month, day), every year
        self.closures = closures
        self._next: dict[int, int] = {}  # ordinal → first open ordinal on or after it
        self._nth: dict[tuple[int, int], int] = {}  # (ordinal, n) → nth_open_after
        self._windows: dict[tuple[int, int, int], tuple[date, date]] = {}  # → delivery_window
        self._years: set[int] = set()

    def closed_reason(self, day: date) -> str | None:
        """Why `day` is closed (holiday before closure before weekday, most telling first)."""
        name = public_holidays(self.country, self.subdivision, day.year).get(day)
        if name is not None:
            return f"public_holiday:{name}"
        if day in self.closures or (day.month, day.day) in self.annual_closures:
            return "closure"
        weekday = day.weekday()
        if weekday not in self.weekdays:
            return "weekend" if weekday in WEEKEND else "no_service_day"
        return None

    def is_open(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def next_open(self, ordinal: int) -> int:
        """Ordinal of the first open day on or after the day `ordinal`."""
        found = self._next.get(ordinal)
        if found is None:
            found = self._fill(date.fromordinal(ordinal).year)[ordinal]
        return found

    def nth_open_after(self, ordinal: int, n: int) -> int:
        """The n-th open day after `ordinal`; n = 0 is `ordinal` itself when open, else the next."""
        if n == 0:
            return self.next_open(ordinal)
        # Kept per (day, n): an economy transit of 8 days was 8 steps on every quote.
        found = self._nth.get((ordinal, n))
        if found is None:
            if len(self._nth) >= _INSTANTS_KEPT:
                self._nth.clear()
            day = ordinal
            for _ in range(n):
                day = self.next_open(day + 1)
            found = self._nth[(ordinal, n)] = day
        return found

    def delivery_window(self, ordinal: int, first: int, last: int) -> tuple[date, date]:
        """The `first`-th and `last`-th open days after `ordinal` (``nth_open_after``) as dates.

        Kept per (day, first, last): every option of every quote asks for its window, and the
        answer is the same for all orders shipping that day.
        """
        key = (ordinal, first, last)
        found = self._windows.get(key)
        if found is None:
            if len(self._windows) >= _INSTANTS_KEPT:
                self._windows.clear()
            earliest = date.fromordinal(self.nth_open_after(ordinal, first))
            latest = (
                earliest if last == first else date.fromordinal(self.nth_open_after(ordinal, last))
            )
            found = self._windows[key] = (earliest, latest)
        return found

    def _fill(self, year: int) -> dict[int, int]:
        if len(self._years) >= _YEARS_KEPT:
            self._next.clear()
            self._nth.clear()
            self._windows.clear()
            self._years.clear()
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        following = self._scan(last + 1)
        table: dict[int, int] = {}
        for ordinal in range(last, first - 1, -1):
            if self.closed_reason(date.fromordinal(ordinal)) is None:
                following = ordinal
            table[ordinal] = following
        self._next.update(table)
        self._years.add(year)
        return table

    def _scan(self, ordinal: int) -> int:
        for candidate in range(ordinal, ordinal + MAX_CLOSED_RUN):
            if self.closed_reason(date.fromordinal(candidate)) is None:
                return candidate
        raise ValueError(f"no open day within {MAX_CLOSED_RUN} days of {date.fromordinal(ordinal)}")


class RegionalDays:
    """A carrier's delivery days in one country, per destination subdivision (None: national).

    Each subdivision's calendar is built on first use and kept: a container quotes a few dozen
    subdivisions at most, and each calendar caches its own open-day tables.
    """

    __slots__ = ("weekdays", "country", "_calendars")

    def __init__(self, *, weekdays: frozenset[int], country: str) -> None:
        self.weekdays = weekdays
        self.country = country
        self._calendars: dict[str | None, DayCalendar] = {}

    @property
    def national(self) -> DayCalendar:
        return self.calendar(None)

    def calendar(self, subdivision: str | None) -> DayCalendar:
        found = self._calendars.get(subdivision)
        if found is None:
            found = self._calendars[subdivision] = DayCalendar(
                weekdays=self.weekdays, country=self.country, subdivision=subdivision
            )
        return found


class CutoffClock:
    """When a parcel leaves one location with one carrier service.

    An order placed strictly before the cut-off on a handling day ships that day, otherwise on the
    next handling day. Cut-offs are wall-clock times in the location's zone, so their UTC instant
    moves with daylight saving time.
    """

    __slots__ = ("days", "zone", "cutoff", "_instants", "_plans")

    def __init__(self, days: DayCalendar, zone: ZoneInfo, cutoff: time) -> None:
        self.days = days
        self.zone = zone
        self.cutoff = cutoff
        self._instants: dict[int, tuple[float, datetime]] = {}
        self._plans: dict[int, DayPlan] = {}

    def local_ordinal(self, at: datetime) -> int:
        return at.astimezone(self.zone).toordinal()

    def cutoff_instant(self, ordinal: int) -> tuple[float, datetime]:
        """The cut-off of day `ordinal` as (unix seconds, aware local datetime)."""
        found = self._instants.get(ordinal)
        if found is None:
            if len(self._instants) >= _INSTANTS_KEPT:
                self._instants.clear()
            moment = datetime.combine(date.fromordinal(ordinal), self.cutoff, tzinfo=self.zone)
            found = self._instants[ordinal] = (moment.timestamp(), moment)
        return found

    def order_by(self, at: datetime) -> datetime:
        """The cut-off an order placed at `at` makes: its ship day's, in the location's zone
        (the engine reads the same day plan inline, on its hot path)."""
        cutoff, before, after = self.day_plan(self.local_ordinal(at))
        return (after if at.timestamp() >= cutoff else before)[2]

    def ship_day(self, local_ordinal: int, at_ts: float) -> int:
        """Ship day for an order at `at_ts` (unix seconds) on local day `local_ordinal`."""
        cutoff, before, after = self.day_plan(local_ordinal)
        return (after if at_ts >= cutoff else before)[0]

    def day_plan(self, local_ordinal: int) -> DayPlan:
        """How an order placed on local day `local_ordinal` ships: that day's cut-off (unix
        seconds; infinity when the location does not hand over that day), and the shipment of
        an order before it and of one at or after it.

        Kept per day: the quote needs it for every parcel, and only the comparison with the
        order's instant differs from one order to the next.
        """
        found = self._plans.get(local_ordinal)
        if found is None:
            if len(self._plans) >= _INSTANTS_KEPT:
                self._plans.clear()
            first = self.days.next_open(local_ordinal)
            before = self._shipment(first)
            if first == local_ordinal:
                cutoff = self.cutoff_instant(first)[0]
                found = (cutoff, before, self._shipment(self.days.next_open(first + 1)))
            else:
                found = (math.inf, before, before)
            self._plans[local_ordinal] = found
        return found

    def _shipment(self, ship: int) -> Shipment:
        return ship, date.fromordinal(ship), self.cutoff_instant(ship)[1]


# A ship day: its ordinal, its date, and its cut-off in the location's zone (the order_by).
Shipment = tuple[int, date, datetime]
DayPlan = tuple[float, Shipment, Shipment]  # the day's cut-off, the shipment before, after
