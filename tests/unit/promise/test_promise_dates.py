"""Worked examples: ship day, delivery window and order_by for the default rule set.

Destination Berlin 10115 and one TSHIRT-M unless a case says otherwise. Leipzig: Mon–Fri, Saxon
holidays, closed 24 and 31 Dec, dhl 17:00, dhl/express 15:00. Berlin store: Mon–Sat, Berlin
holidays, courier 11:00, dhl 16:00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from chalicelib.domain.promise.engine import MethodPromise

STORE_ONLY = {"TSHIRT-M": {"WH-LEIPZIG": 0, "STORE-BERLIN": 5}}

# (method, ordered at, earliest, latest, order_by)
# fmt: off
CASES = {
    # The worked examples.
    "standard before cut-off on 23 Dec": (
        "standard", "2026-12-23T16:30:00+01:00", "2026-12-24", "2026-12-28",
        "2026-12-23T17:00:00+01:00",
    ),
    "standard after cut-off on 23 Dec waits for 28 Dec": (
        "standard", "2026-12-23T17:30:00+01:00", "2026-12-29", "2026-12-30",
        "2026-12-28T17:00:00+01:00",
    ),
    "next_day past the 15:00 express cut-off": (
        "next_day", "2026-12-23T16:30:00+01:00", "2026-12-29", "2026-12-29",
        "2026-12-28T15:00:00+01:00",
    ),
    "economy over the holidays and new year": (
        "economy", "2026-12-23T16:30:00+01:00", "2026-12-29", "2027-01-05",
        "2026-12-23T17:00:00+01:00",
    ),
    # Exactly at a cut-off: ships on the next handling day.
    "standard exactly at the cut-off": (
        "standard", "2026-12-23T17:00:00+01:00", "2026-12-29", "2026-12-30",
        "2026-12-28T17:00:00+01:00",
    ),
    "standard one microsecond before the cut-off": (
        "standard", "2026-12-23T16:59:59.999999+01:00", "2026-12-24", "2026-12-28",
        "2026-12-23T17:00:00+01:00",
    ),
    "next_day exactly at the express cut-off": (
        "next_day", "2026-12-07T15:00:00+01:00", "2026-12-09", "2026-12-09",
        "2026-12-08T15:00:00+01:00",
    ),
    # Input in UTC: the same instants as above.
    "UTC Z before the cut-off": (
        "standard", "2026-12-23T15:30:00Z", "2026-12-24", "2026-12-28",
        "2026-12-23T17:00:00+01:00",
    ),
    "UTC +00:00 exactly at the cut-off": (
        "standard", "2026-12-23T16:00:00+00:00", "2026-12-29", "2026-12-30",
        "2026-12-28T17:00:00+01:00",
    ),
    "UTC instant on the previous UTC day is the next local day": (
        "standard", "2026-12-22T23:30:00Z", "2026-12-24", "2026-12-28",
        "2026-12-23T17:00:00+01:00",
    ),
    # Buß- und Bettag (18 Nov 2026): Leipzig closed, Berlin open, no national holiday.
    "Buß- und Bettag: Leipzig closed, ships Thursday": (
        "standard", "2026-11-17T18:00:00+01:00", "2026-11-20", "2026-11-21",
        "2026-11-19T17:00:00+01:00",
    ),
    "Buß- und Bettag: ordered on the day, ships Thursday": (
        "standard", "2026-11-18T10:00:00+01:00", "2026-11-20", "2026-11-21",
        "2026-11-19T17:00:00+01:00",
    ),
    "Buß- und Bettag: still a delivery day in Berlin": (
        "standard", "2026-11-17T10:00:00+01:00", "2026-11-18", "2026-11-19",
        "2026-11-17T17:00:00+01:00",
    ),
    # Reformationstag: a Saxon holiday (Fri 31 Oct 2025), not a national one.
    "Reformationstag closes Leipzig": (
        "standard", "2025-10-30T18:00:00+01:00", "2025-11-04", "2025-11-05",
        "2025-11-03T17:00:00+01:00",
    ),
    "Reformationstag is a delivery day in Berlin": (
        "standard", "2025-10-29T10:00:00+01:00", "2025-10-30", "2025-10-31",
        "2025-10-29T17:00:00+01:00",
    ),
    # DST starts Sun 29 Mar 2026: 17:00 is 16:00Z before, 15:00Z after.
    "spring DST: Friday cut-off is 16:00Z": (
        "standard", "2026-03-27T15:59:00Z", "2026-03-28", "2026-03-30",
        "2026-03-27T17:00:00+01:00",
    ),
    "spring DST: at 16:00Z Friday the cut-off has passed": (
        "standard", "2026-03-27T16:00:00Z", "2026-03-31", "2026-04-01",
        "2026-03-30T17:00:00+02:00",
    ),
    "spring DST: Monday cut-off is 15:00Z": (
        "standard", "2026-03-30T15:00:00Z", "2026-04-01", "2026-04-02",
        "2026-03-31T17:00:00+02:00",
    ),
    "spring DST: ordered in the switch night": (
        "standard", "2026-03-29T01:30:00Z", "2026-03-31", "2026-04-01",
        "2026-03-30T17:00:00+02:00",
    ),
    # DST ends Sun 25 Oct 2026: 17:00 is 15:00Z before, 16:00Z after.
    "autumn DST: 15:30Z Friday is past the cut-off": (
        "standard", "2026-10-23T15:30:00Z", "2026-10-27", "2026-10-28",
        "2026-10-26T17:00:00+01:00",
    ),
    "autumn DST: 15:30Z Monday is before the cut-off": (
        "standard", "2026-10-26T15:30:00Z", "2026-10-27", "2026-10-28",
        "2026-10-26T17:00:00+01:00",
    ),
    # Easter 2026: Good Friday 3 Apr and Easter Monday 6 Apr.
    "Easter: ships Thursday, Saturday delivers": (
        "standard", "2026-04-02T16:00:00+02:00", "2026-04-04", "2026-04-07",
        "2026-04-02T17:00:00+02:00",
    ),
    "Easter: after the cut-off ships Tuesday": (
        "standard", "2026-04-02T18:00:00+02:00", "2026-04-08", "2026-04-09",
        "2026-04-07T17:00:00+02:00",
    ),
    "Easter: express skips Good Friday to Easter Monday": (
        "next_day", "2026-04-02T14:00:00+02:00", "2026-04-07", "2026-04-07",
        "2026-04-02T15:00:00+02:00",
    ),
    # Year end: 31 Dec closure at Leipzig, 1 Jan holiday everywhere.
    "year end: 31 Dec is a delivery day, 1 Jan is not": (
        "standard", "2026-12-30T16:00:00+01:00", "2026-12-31", "2027-01-02",
        "2026-12-30T17:00:00+01:00",
    ),
    "year end: after the cut-off on 30 Dec ships 4 Jan": (
        "standard", "2026-12-30T17:30:00+01:00", "2027-01-05", "2027-01-06",
        "2027-01-04T17:00:00+01:00",
    ),
    "year end: ordered on the closed 31 Dec": (
        "standard", "2026-12-31T09:00:00+01:00", "2027-01-05", "2027-01-06",
        "2027-01-04T17:00:00+01:00",
    ),
    # Weekend: Leipzig does not hand over on Saturday.
    "Saturday order ships Monday": (
        "standard", "2026-12-05T10:00:00+01:00", "2026-12-08", "2026-12-09",
        "2026-12-07T17:00:00+01:00",
    ),
    "next_day on Friday afternoon delivers Monday": (
        "next_day", "2026-12-04T14:00:00+01:00", "2026-12-07", "2026-12-07",
        "2026-12-04T15:00:00+01:00",
    ),
}
# fmt: on


@pytest.mark.parametrize(
    ("method", "at", "earliest", "latest", "order_by"), CASES.values(), ids=CASES.keys()
)
def test_delivery_window_and_order_by(
    offer: Callable[..., MethodPromise],
    method: str,
    at: str,
    earliest: str,
    latest: str,
    order_by: str,
) -> None:
    # Given the default rules, When the cart is quoted at `at`
    promise = offer(method, at)

    # Then the window and the last order instant are the worked-out ones
    assert (promise.earliest, promise.latest) == (
        date.fromisoformat(earliest),
        date.fromisoformat(latest),
    )
    assert promise.order_by.isoformat() == order_by


@pytest.mark.parametrize(
    ("at", "expected_utc"),
    [
        ("2026-03-27T10:00:00+01:00", "2026-03-27T16:00:00+00:00"),
        ("2026-03-30T10:00:00+02:00", "2026-03-30T15:00:00+00:00"),
        ("2026-10-23T10:00:00+02:00", "2026-10-23T15:00:00+00:00"),
        ("2026-10-26T10:00:00+01:00", "2026-10-26T16:00:00+00:00"),
    ],
)
def test_cutoff_instant_in_utc_shifts_with_daylight_saving(
    offer: Callable[..., MethodPromise], at: str, expected_utc: str
) -> None:
    promise = offer("standard", at)

    assert promise.order_by.astimezone(datetime.fromisoformat(expected_utc).tzinfo).isoformat() == (
        expected_utc
    )


# fmt: off
STORE_CASES = {
    # Store-only stock: dhl cut-off 16:00 at the Berlin store, open Mon–Sat.
    "Buß- und Bettag: the Berlin store ships": (
        "2026-11-18T10:00:00+01:00", "2026-11-19", "2026-11-20", "2026-11-18T16:00:00+01:00",
    ),
    "store ships on Saturday": (
        "2026-12-05T10:00:00+01:00", "2026-12-07", "2026-12-08", "2026-12-05T16:00:00+01:00",
    ),
    "store ships on 24 Dec when Leipzig is closed": (
        "2026-12-23T16:30:00+01:00", "2026-12-28", "2026-12-29", "2026-12-24T16:00:00+01:00",
    ),
    # Frauentag, Mon 8 Mar 2027: a Berlin holiday only.
    "Frauentag closes the Berlin store": (
        "2027-03-06T17:00:00+01:00", "2027-03-10", "2027-03-11", "2027-03-09T16:00:00+01:00",
    ),
}
# fmt: on


@pytest.mark.parametrize(
    ("at", "earliest", "latest", "order_by"), STORE_CASES.values(), ids=STORE_CASES.keys()
)
def test_store_shipments_follow_the_store_calendar(
    offer: Callable[..., MethodPromise], at: str, earliest: str, latest: str, order_by: str
) -> None:
    promise = offer("standard", at, inventory=STORE_ONLY)

    assert promise.ships_from == ("STORE-BERLIN",)
    assert (promise.earliest.isoformat(), promise.latest.isoformat()) == (earliest, latest)
    assert promise.order_by.isoformat() == order_by


def test_frauentag_does_not_close_leipzig(offer: Callable[..., MethodPromise]) -> None:
    promise = offer("standard", "2027-03-06T17:00:00+01:00")

    assert promise.ships_from == ("WH-LEIPZIG",)
    assert promise.parcels[0].ship_day == date(2027, 3, 8)


# Vienna 1010: dhl/paket 2–4 delivery days Mon–Fri, Austrian public holidays.
# fmt: off
AT_CASES = {
    "Austria over Christmas (Stefanitag 26 Dec)": (
        "2026-12-23T16:30:00+01:00", "2026-12-28", "2026-12-30",
    ),
    "Austria skips Epiphany, a holiday there only": (
        "2027-01-04T10:00:00+01:00", "2027-01-07", "2027-01-11",
    ),
}
# fmt: on


@pytest.mark.parametrize(("at", "earliest", "latest"), AT_CASES.values(), ids=AT_CASES.keys())
def test_austria_uses_its_own_rule_and_holidays(
    offer: Callable[..., MethodPromise], at: str, earliest: str, latest: str
) -> None:
    promise = offer("standard", at, country="AT", postal_code="1010")

    assert promise.rule.key == "standard-at"
    assert (promise.earliest.isoformat(), promise.latest.isoformat()) == (earliest, latest)


def test_epiphany_is_a_delivery_day_in_germany(offer: Callable[..., MethodPromise]) -> None:
    promise = offer("standard", "2027-01-04T10:00:00+01:00")

    assert (promise.earliest, promise.latest) == (date(2027, 1, 5), date(2027, 1, 6))
