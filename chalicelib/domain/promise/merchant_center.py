"""The delivery statement in Merchant Center's shape: one shipping ``Service`` per method.

Field names and values are those of the Merchant API's shipping settings (``Service``,
``DeliveryTime``, ``CutoffTime``, ``BusinessDayConfig``, ``RateGroup``) in their JSON form, so
a merchant enters them in Merchant Center or uploads them with the API as they are; the tests
parse each service with the Merchant API's own message definitions. Merchant Center states
delivery times per country: a method held to postal-code ranges is listed apart, to be entered
as a region of its own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.domain.promise.published import DeliveryTimes, MethodTimes
from chalicelib.domain.promise.rules import Money

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
MICROS = Decimal(1_000_000)
NO_UPPER_BOUND = "-1"  # a rate table's last price header: any order value above the others
CENT = Decimal("0.01")

Json = dict[str, Any]


def merchant_center(times: DeliveryTimes) -> Json:
    """The answer of GET /v1/promise/merchant-center: the services to enter for the country,
    and the regional methods left out (with their postal ranges)."""
    national = [m for m in times.methods if not m.postal_ranges]
    regional = [m for m in times.methods if m.postal_ranges]
    return {
        "country": times.country,
        "services": [service(method, times.country) for method in national],
        "regional": [
            {
                "method": m.rule.method,
                "service_name": m.rule.key,
                "postal_codes": [f"{r.low}-{r.high}" for r in m.postal_ranges],
            }
            for m in regional
        ],
    }


def service(method: MethodTimes, country: str) -> Json:
    rule = method.rule
    return {
        "serviceName": rule.key,
        "active": True,
        "deliveryCountries": [country],
        "currencyCode": method.price.currency,
        "deliveryTime": delivery_time(method),
        "rateGroups": [_rate_group(method)],
    }


def delivery_time(method: MethodTimes) -> Json:
    cutoff = method.source.clock
    return {
        "minHandlingDays": method.handling.low,
        "maxHandlingDays": method.handling.high,
        "minTransitDays": method.transit.low,
        "maxTransitDays": method.transit.high,
        "cutoffTime": {
            "hour": cutoff.cutoff.hour,
            "minute": cutoff.cutoff.minute,
            "timeZone": cutoff.zone.key,
        },
        "handlingBusinessDayConfig": {"businessDays": _days(method.handling_weekdays)},
        "transitBusinessDayConfig": {"businessDays": _days(method.delivery_weekdays)},
    }


def _days(weekdays: frozenset[int]) -> list[str]:
    return [WEEKDAYS[day] for day in sorted(weekdays)]


def _rate_group(method: MethodTimes) -> Json:
    """A flat rate; with a free-shipping threshold, a table by order value: the charge up to
    a cent below the threshold, nothing from it on. No shipping labels: the group applies to
    every product."""
    price = method.rule.price
    group: Json = {}
    if price.free_from is None:
        group["singleValue"] = {"flatRate": _price(price.charge)}
        return group
    currency = price.charge.currency
    below = Money(price.free_from - CENT, currency)
    group["mainTable"] = {
        "rowHeaders": {
            "prices": [_price(below), {"amountMicros": NO_UPPER_BOUND, "currencyCode": currency}]
        },
        "rows": [
            {"cells": [{"flatRate": _price(price.charge)}]},
            {"cells": [{"flatRate": _price(Money(Decimal(0), currency))}]},
        ],
    }
    return group


def _price(money: Money) -> Json:
    # int64 travels as a JSON string in the Merchant API's JSON form.
    return {"amountMicros": str(int(money.amount * MICROS)), "currencyCode": money.currency}
