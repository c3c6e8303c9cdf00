"""Delivery estimates after the parcel has left: the method's own transit rules, from a scan.

When the carrier gives no estimate, the shipment's expected delivery is the method's minimum
transit counted in the method's delivery days from the day of the last scan (at least one day:
a parcel scanned today in transit is not delivered today by the rules alone). The estimate
counts national delivery days: the shipment does not carry the destination's subdivision.
"""

from __future__ import annotations

from datetime import date

from chalicelib.domain.orders.estimate import EstimateRule
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


def transit_estimate(rule: MethodRule) -> EstimateRule:
    def estimate(last_scan: date) -> date:
        ordinal = rule.delivery.national.nth_open_after(
            last_scan.toordinal(), max(1, rule.transit_min)
        )
        return date.fromordinal(ordinal)

    return estimate
