"""Properties over random order instants, checked against the holidays package directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.promise.engine import MethodPromise, Quote

QuoteAt = Callable[..., Quote]

CLOSED_AT_LEIPZIG = {(12, 24), (12, 31)}
OFFSETS = [timezone(timedelta(hours=h)) for h in (-5, 0, 1, 2, 9)]
instants = st.builds(
    lambda naive, zone: naive.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    st.sampled_from(OFFSETS),
)
carts = st.sampled_from(
    [
        (("TSHIRT-M", 1),),
        (("TSHIRT-M", 2), ("MUG-LOGO", 1), ("CAP-ONE", 1)),
        (("HOODIE-L", 1), ("SOCKS-3PACK", 3)),
    ]
)
# A shirt the store alone has forces a second parcel from Berlin.
inventories = st.sampled_from([None, {"TSHIRT-M": {"STORE-BERLIN": 5}}])
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)


@cache
def _holidays(subdivision: str | None, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DE", subdiv=subdivision, years=year)


def _handles(location: str, day: date) -> bool:
    if location == "WH-LEIPZIG":
        return (
            day.weekday() < 5
            and day not in _holidays("SN", day.year)
            and (day.month, day.day) not in CLOSED_AT_LEIPZIG
        )
    return day.weekday() < 6 and day not in _holidays("BE", day.year)


def _delivers(option: MethodPromise, day: date) -> bool:
    return day.weekday() in option.rule.delivery.weekdays and day not in _holidays(None, day.year)


@SETTINGS
@given(at=instants, items=carts, inventory=inventories)
def test_every_option_is_consistent(
    quote_at: QuoteAt,
    at: datetime,
    items: tuple[tuple[str, int], ...],
    inventory: dict[str, dict[str, int]] | None,
) -> None:
    for option in quote_at(at, items=items, inventory=inventory).options:
        assert option.earliest <= option.latest
        assert option.order_by > at
        for parcel in option.parcels:
            assert _handles(parcel.location, parcel.ship_day)
            assert parcel.ship_day >= at.astimezone(parcel.order_by.tzinfo).date()
            assert parcel.order_by.date() == parcel.ship_day
            assert parcel.ship_day <= parcel.earliest <= option.earliest
        assert _delivers(option, option.earliest)
        assert _delivers(option, option.latest)


@SETTINGS
@given(at=instants, later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)))
def test_a_later_order_never_gets_an_earlier_promise(
    quote_at: QuoteAt, at: datetime, later_by: timedelta
) -> None:
    sooner = {option.rule.key: option for option in quote_at(at).options}
    later = {option.rule.key: option for option in quote_at(at + later_by).options}

    for key in sooner.keys() & later.keys():
        assert later[key].earliest >= sooner[key].earliest
        assert later[key].latest >= sooner[key].latest
        assert later[key].order_by >= sooner[key].order_by


@SETTINGS
@given(at=instants)
def test_the_promise_holds_until_order_by_and_changes_right_after(
    quote_at: QuoteAt, at: datetime
) -> None:
    now = {option.rule.key: option for option in quote_at(at).options}

    for key, option in now.items():
        last_moment = option.order_by - timedelta(microseconds=1)
        still = next((o for o in quote_at(last_moment).options if o.rule.key == key), None)
        assert still is not None
        assert (still.earliest, still.latest) == (option.earliest, option.latest)
        after = [o for o in quote_at(option.order_by).options if o.rule.key == key]
        assert all(o.order_by > option.order_by for o in after)


# Destinations with their subdivision as the holidays package names it (None: unknown code).
DESTINATIONS = [
    ("DE", "10115", "BE"),
    ("DE", "80331", "BY"),
    ("DE", "70173", "BW"),
    ("DE", "01067", "SN"),
    ("DE", "66111", "SL"),
    ("DE", "99084", "TH"),
    ("DE", "19053", "MV"),
    ("DE", "20095", "HH"),
    ("DE", "00999", None),
    ("AT", "1010", "9"),
    ("AT", "6020", "7"),
]


@cache
def _destination_holidays(country: str, subdivision: str | None, year: int) -> set[date]:
    return set(holidays.country_holidays(country, subdiv=subdivision, years=year))


@SETTINGS
@given(at=instants, items=carts, destination=st.sampled_from(DESTINATIONS))
def test_no_promised_day_is_a_holiday_of_the_destinations_subdivision(
    quote_at: QuoteAt,
    at: datetime,
    items: tuple[tuple[str, int], ...],
    destination: tuple[str, str, str | None],
) -> None:
    country, postal_code, subdivision = destination
    quoted = quote_at(at, items=items, country=country, postal_code=postal_code)

    for option in quoted.options:
        for day in (option.earliest, option.latest):
            assert day not in _destination_holidays(country, subdivision, day.year)
            assert day.weekday() in option.rule.delivery.weekdays
