"""Delivery estimates after the parcel has left: the method's own delivery days and transit.

When the carrier gives no estimate (or one no longer possible), the shipment's expected delivery
is counted in the method's delivery days (``orders.estimate`` says from which scan and day). The
estimate counts national delivery days: the shipment does not carry the destination's
subdivision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.orders.estimate import EstimateRule
from chalicelib.domain.promise.calendar import DayCalendar
from chalicelib.domain.promise.rules import MethodRule, PromiseConfig


def find_rule(
    config: PromiseConfig, method: str, country: str, postal_code: str, key: str | None = None
) -> MethodRule | None:
    """The rule a promise was made under: by its key when known, else by method and zone."""
    for rule in config.rules.rules:
        if key is not None and rule.key == key:
            return rule
        if key is None and rule.method == method and rule.zone.contains(country, postal_code):
            return rule
    return None


@dataclass(frozen=True, slots=True)
class MethodDays:
    """A method's national delivery days and shortest transit (an ``EstimateRule``)."""

    calendar: DayCalendar
    transit_min: int

    def nth_after(self, day: date, n: int) -> date:
        return date.fromordinal(self.calendar.nth_open_after(day.toordinal(), n))


def transit_estimate(rule: MethodRule) -> EstimateRule:
    return MethodDays(rule.delivery.national, rule.transit_min)
