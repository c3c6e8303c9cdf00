"""Explain steps: how an option's dates came about (sourcing, cut-off, handling, transit).

Only built when a caller asks (`explain=true`), off the hot path. It asks the engine's own
calendars for every day it lists, so the explanation cannot disagree with the dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.accuracy.lanes import Lane
from chalicelib.domain.promise.terms import StepKind

if TYPE_CHECKING:  # annotations only: the calendars load with the first quote
    from chalicelib.domain.promise.calendar import DayCalendar
    from chalicelib.domain.promise.engine import Parcel
    from chalicelib.domain.promise.rules import MethodRule, Source

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Step:
    step: StepKind
    detail: str
    date: date | None = None
    at: datetime | None = None
    location: str | None = None
    # skipped days: "weekend", "closure", "public_holiday:<name>"; calendar: "holidays:DE-BY"
    reason: str | None = None


def calendar_step(days: DayCalendar, postal_code: str) -> Step:
    """Which holidays the delivery days skip: the destination subdivision's, else national."""
    if days.subdivision is None:
        detail = (
            f"delivery days skip the national holidays of {days.country}: "
            f"postal code {postal_code} is not in the subdivision table"
        )
    else:
        detail = (
            f"delivery days skip the holidays of {days.country}-{days.subdivision} "
            f"(postal code {postal_code})"
        )
    return Step("calendar", detail, reason=f"holidays:{_calendar_name(days)}")


def _calendar_name(days: DayCalendar) -> str:
    return days.country if days.subdivision is None else f"{days.country}-{days.subdivision}"


def parcel_steps(rule: MethodRule, days: DayCalendar, parcel: Parcel, at: datetime) -> list[Step]:
    source, where = parcel.source, parcel.source.location.id
    carried = ", ".join(f"{quantity}× {sku}" for sku, quantity in parcel.items)
    steps = [Step("sourcing", f"{carried} from {where}", location=where)]
    steps += _handling_steps(rule, source, at, parcel.ship_day)
    steps += _transit_steps(rule, days, parcel.ship_day, parcel.transit)
    steps.append(_window_source(rule, parcel))
    return steps


def _window_source(rule: MethodRule, parcel: Parcel) -> Step:
    """Where the parcel's transit window came from: the lane's delivered parcels, or the rule."""
    where = parcel.source.location.id
    if parcel.learned is None:
        return Step("window", f"rule {rule.key}", location=where, reason="rule")
    lane = Lane.from_key(parcel.learned.lane).describe()  # "dhl/paket WH-LEIPZIG → DE-10"
    return Step("window", parcel.learned.describe(lane), location=where, reason="learned")


def window_step(earliest: date, latest: date, parcels: int) -> Step:
    detail = f"delivery between {earliest.isoformat()} and {latest.isoformat()}"
    if parcels > 1:
        detail += f" (the latest of {parcels} parcels)"
    return Step("delivery", detail, date=earliest)


def _handling_steps(rule: MethodRule, source: Source, at: datetime, ship_day: date) -> list[Step]:
    clock, where = source.clock, source.location.id
    steps: list[Step] = []
    day = at.astimezone(clock.zone).date()
    if clock.days.is_open(day):
        _, cutoff = clock.cutoff_instant(day.toordinal())
        met = at < cutoff
        when = "before" if met else "at or after"
        text = f"ordered {when} the {rule.carrier}/{rule.service} cut-off {clock.cutoff:%H:%M}"
        steps.append(Step("cutoff", text, date=day, at=cutoff, location=where))
        if not met:
            day += ONE_DAY
    for skipped in _days(day, ship_day):
        reason = clock.days.closed_reason(skipped)
        steps.append(Step("skipped", "no handling", date=skipped, location=where, reason=reason))
    _, order_by = clock.cutoff_instant(ship_day.toordinal())
    handed = f"handed to {rule.carrier}/{rule.service} (orders before {order_by.isoformat()})"
    steps.append(Step("handling", handed, date=ship_day, at=order_by, location=where))
    return steps


def _transit_steps(
    rule: MethodRule, days: DayCalendar, ship_day: date, transit: tuple[int, int]
) -> list[Step]:
    steps: list[Step] = []
    ship = ship_day.toordinal()
    previous = ship
    low, high = transit
    for n in range(0 if low == 0 else 1, high + 1):
        day = days.nth_open_after(ship, n)
        start = date.fromordinal(ship if n == 0 else previous + 1)
        for skipped in _days(start, date.fromordinal(day)):
            reason = days.closed_reason(skipped)
            steps.append(Step("skipped", "no delivery", date=skipped, reason=reason))
        steps.append(Step("transit", _transit_text(rule, n, transit), date=date.fromordinal(day)))
        previous = day
    return steps


def _transit_text(rule: MethodRule, n: int, transit: tuple[int, int]) -> str:
    bounds = (("earliest", transit[0]), ("latest", transit[1]))
    marks = [mark for mark, bound in bounds if bound == n]
    suffix = f" ({' and '.join(marks)})" if marks else ""
    return f"delivery day {n} of {rule.carrier}/{rule.service}{suffix}"


def _days(start: date, end: date) -> list[date]:
    """Days from `start` up to, not including, `end`."""
    return [start + timedelta(days=i) for i in range((end - start).days)]
