"""One source of truth: what the structured data states for a method holds every date the quote
gives for it.

Hypothesis quotes a one-line cart at instants across three years (both daylight-saving switches,
the holidays of Christmas and the new year) to destinations in DE and AT, postal codes the
subdivision table knows and ones it does not, with and without learned lanes. Each offered
option is read against the JSON-LD a search engine gets for the same product and destination
(and for the whole country): an order is received on the day it is placed when that is a
handling day and it comes before the cut-off, else on the next handling day; it leaves within
the handling range of handling days and arrives within the transit range of delivery days. The
quoted window must lie within what that reading allows, and the cut-off must be the quote's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.config.loader import load_config
from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.promise.calendar import DayCalendar
from chalicelib.domain.promise.engine import MethodPromise, QuoteInput, quote
from chalicelib.domain.promise.published import DeliveryTimes, MethodTimes, delivery_times
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.promise.structured import WEEKDAY_NAMES, shipping_details

CONFIG = load_config()
ZONES = [ZoneInfo(name) for name in ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo")]
SKUS = sorted(CONFIG.catalogue.items)
LANE_REGIONS = ("DE-10", "DE-80", "DE-04", "DE-01", "AT-1", "AT-6")
SERVICES = (("paket", "WH-LEIPZIG"), ("paket", "STORE-BERLIN"), ("express", "WH-LEIPZIG"),
            ("economy", "WH-LEIPZIG"))  # fmt: skip

instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31)),
    st.sampled_from(ZONES),
)
destinations = st.one_of(
    st.sampled_from(
        [("DE", "10115"), ("DE", "80331"), ("DE", "04109"), ("DE", "14055"), ("AT", "1010"),
         ("AT", "6020"), ("DE", "00001")]
    ),
    st.integers(1000, 99999).map(lambda n: ("DE", f"{n:05d}")),
    st.integers(1000, 9999).map(lambda n: ("AT", f"{n}")),
)  # fmt: skip
histograms = st.dictionaries(st.integers(0, 9), st.integers(1, 120), min_size=1, max_size=5)
learned_lanes = st.none() | st.builds(
    lambda lanes: LearnedLanes(lanes, min_parcels=100),
    st.dictionaries(
        st.builds(
            lambda service, region: f"dhl|{service[0]}|{service[1]}|{region}",
            st.sampled_from(SERVICES),
            st.sampled_from(LANE_REGIONS),
        ),
        histograms,
        max_size=6,
    ),
)


def nth_open(days: DayCalendar, start: date, n: int) -> date:
    """The n-th open day after `start` (counted from the day after it, whether `start` is open
    or not); n = 0: `start` when open, else the next open day."""
    day = start
    if n == 0:
        while not days.is_open(day):
            day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not days.is_open(day):
            day += timedelta(days=1)
    return day


def received(days: DayCalendar, cutoff: time, zone: ZoneInfo, at: datetime) -> date:
    """The day an order placed at `at` counts from: today before the cut-off on a handling day."""
    today = at.astimezone(zone).date()
    if days.is_open(today) and at < datetime.combine(today, cutoff, tzinfo=zone):
        return today
    return nth_open(days, today + timedelta(days=1), 0)


def envelope(
    stated: dict[str, Any], method: MethodTimes, delivery: DayCalendar, at: datetime
) -> tuple[date, date]:
    """The first and last delivery day a reader of `stated` (one OfferShippingDetails) allows."""
    times = stated["deliveryTime"]
    handling_days = method.source.location.days
    stated_weekdays = [name.rsplit("/", 1)[1] for name in times["businessDays"]["dayOfWeek"]]
    # The stated business days are the handling calendar's weekdays (its holidays aside).
    assert stated_weekdays == [WEEKDAY_NAMES[d] for d in sorted(handling_days.weekdays)]
    zone = method.source.clock.zone
    cutoff = time.fromisoformat(times["cutoffTime"][:8])
    receipt = received(handling_days, cutoff, zone, at)
    handling, transit = times["handlingTime"], times["transitTime"]
    first_ship = nth_open(handling_days, receipt, handling["minValue"])
    last_ship = nth_open(handling_days, receipt, handling["maxValue"])
    return (
        nth_open(delivery, first_ship, transit["minValue"]),
        nth_open(delivery, last_ship, transit["maxValue"]),
    )


def check_option(
    option: MethodPromise,
    statement: DeliveryTimes,
    config: PromiseConfig,
    at: datetime,
    postal_code: str,
) -> None:
    document = shipping_details(statement)["shippingDetails"]
    assert len(document) == len(statement.methods)
    index = next(i for i, m in enumerate(statement.methods) if m.rule is option.rule)
    method, stated = statement.methods[index], document[index]
    assert method.source is option.parcels[0].source  # the location the quote ships from
    assert option.order_by == method.order_by  # the quote's cut-off is the stated one
    assert stated["deliveryTime"]["cutoffTime"] == option.order_by.isoformat().split("T")[1]
    route = next(
        r for r in config.destination(statement.country, postal_code).routes
        if r.rule is option.rule
    )  # fmt: skip
    assert route.days is not None
    first, last = envelope(stated, method, route.days, at)
    assert first <= option.earliest <= option.latest <= last, (first, last, option)


@settings(max_examples=300)
@given(at=instants, destination=destinations, sku=st.sampled_from(SKUS), lanes=learned_lanes)
def test_every_quoted_window_lies_within_what_the_structured_data_states(
    at: datetime, destination: tuple[str, str], sku: str, lanes: LearnedLanes | None
) -> None:
    country, postal_code = destination
    result = quote(CONFIG, QuoteInput(country, postal_code, ((sku, 1),), at, learned=lanes))
    for_the_postal_code = delivery_times(CONFIG, country, postal_code, sku, at, lanes)
    for_the_country = delivery_times(CONFIG, country, None, sku, at, lanes)

    for option in result.options:
        check_option(option, for_the_postal_code, CONFIG, at, postal_code)
        check_option(option, for_the_country, CONFIG, at, postal_code)
    # Every method the quote offers is stated; one the statement leaves out is never offered.
    stated = {m.rule.key for m in for_the_postal_code.methods}
    assert {option.rule.key for option in result.options} <= stated
