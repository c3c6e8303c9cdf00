"""The delivery statement as schema.org JSON-LD: an Offer's ``shippingDetails``.

One ``OfferShippingDetails`` per method that ships to the destination, with its
``ShippingDeliveryTime`` (handling and transit days as ``QuantitativeValue``, the cut-off with
its UTC offset on the day of the next cut-off, the handling weekdays as ``businessDays``). A
destination no rule holds is stated as ``doesNotShip``. Values are plain JSON types; the names
are checked against the published schema.org vocabulary by the tests (tests/schemaorg.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.domain.promise.published import DayRange, DeliveryTimes, MethodTimes
from chalicelib.domain.promise.rules import Money, PostalRange

SCHEMA_ORG = "https://schema.org"
DAY = "DAY"  # UN/CEFACT Common Code for a day, as Google's examples write unitCode
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

JsonLd = dict[str, Any]


def shipping_details(times: DeliveryTimes) -> JsonLd:
    """The answer of GET /v1/promise/shipping-details: an Offer fragment whose
    ``shippingDetails`` a storefront puts into its product's Offer."""
    if not times.ships:
        details = [_does_not_ship(times)]
    else:
        details = [offer_shipping_details(method, times) for method in times.methods]
    return {"@context": SCHEMA_ORG, "@type": "Offer", "shippingDetails": details}


def offer_shipping_details(method: MethodTimes, times: DeliveryTimes) -> JsonLd:
    return {
        "@type": "OfferShippingDetails",
        "shippingDestination": _region(method, times),
        "shippingRate": monetary_amount(method.price),
        "deliveryTime": {
            "@type": "ShippingDeliveryTime",
            "handlingTime": _days(method.handling),
            "transitTime": _days(method.transit),
            "cutoffTime": cutoff_time(method),
            "businessDays": {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": day_names(method.handling_weekdays),
            },
        },
    }


def cutoff_time(method: MethodTimes) -> str:
    """The cut-off as an ISO 8601 time with the UTC offset it has on the next cut-off's day
    ("17:00:00+01:00"): the offset moves with daylight saving time."""
    # A zone's offset needs a date: time.isoformat() of a zoned time would write none.
    return method.order_by.isoformat(timespec="seconds").split("T", 1)[1]


def monetary_amount(money: Money) -> JsonLd:
    # schema.org's value is a Number: a JSON number, not the API's decimal string.
    return {"@type": "MonetaryAmount", "value": float(money.amount), "currency": money.currency}


def day_names(weekdays: Iterable[int]) -> list[str]:
    return [f"{SCHEMA_ORG}/{WEEKDAY_NAMES[day]}" for day in sorted(weekdays)]


def _days(days: DayRange) -> JsonLd:
    return {
        "@type": "QuantitativeValue",
        "minValue": days.low,
        "maxValue": days.high,
        "unitCode": DAY,
    }


def _region(method: MethodTimes, times: DeliveryTimes) -> JsonLd:
    """Where the figures hold: the country, narrowed to the rule's postal ranges and, for a
    statement worked out for a postal code, to its lane region (a range where both apply)."""
    region: JsonLd = {"@type": "DefinedRegion", "addressCountry": times.country}
    ranges = list(method.postal_ranges)
    prefix = method.postal_prefix
    if prefix is not None and ranges:
        ranges = [r for r in (_within_prefix(r, prefix) for r in ranges) if r is not None]
        prefix = None
    if prefix is not None:
        region["postalCodePrefix"] = [prefix]
    if ranges:
        region["postalCodeRange"] = [
            {
                "@type": "PostalCodeRangeSpecification",
                "postalCodeBegin": r.low,
                "postalCodeEnd": r.high,
            }
            for r in ranges
        ]
    return region


def _within_prefix(postal_range: PostalRange, prefix: str) -> PostalRange | None:
    """The part of `postal_range` whose codes start with `prefix` (None: no code does)."""
    width = len(postal_range.low) - len(prefix)
    if width < 0:
        return None
    # The lowest and highest code after the prefix: digits only where the range is all digits.
    top = "9" if (postal_range.low + postal_range.high).isdigit() else "Z"
    lowest, highest = prefix + "0" * width, prefix + top * width
    low, high = max(postal_range.low, lowest), min(postal_range.high, highest)
    return PostalRange(low, high) if low <= high else None


def _does_not_ship(times: DeliveryTimes) -> JsonLd:
    region: JsonLd = {"@type": "DefinedRegion", "addressCountry": times.country}
    if times.postal_code is not None:
        region["postalCode"] = times.postal_code
    return {"@type": "OfferShippingDetails", "shippingDestination": region, "doesNotShip": True}
