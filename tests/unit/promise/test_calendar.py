"""Day calendars, holiday caches and cut-off clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.promise.calendar import CutoffClock, DayCalendar, public_holidays
from chalicelib.domain.promise.rules import PromiseConfig

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = frozenset(range(5))


def test_holidays_are_named_in_the_local_language_by_subdivision() -> None:
    saxony = public_holidays("DE", "SN", 2026)
    berlin = public_holidays("DE", "BE", 2026)

    assert saxony[date(2026, 11, 18)] == "Buß- und Bettag"
    assert saxony[date(2026, 10, 31)] == "Reformationstag"
    assert date(2026, 11, 18) not in berlin
    assert berlin[date(2026, 3, 8)] == "Frauentag"
    assert date(2026, 3, 8) not in saxony


def test_national_calendar_has_no_state_holidays() -> None:
    national = public_holidays("DE", None, 2026)

    assert national[date(2026, 4, 3)] == "Karfreitag"
    assert national[date(2026, 4, 6)] == "Ostermontag"
    assert date(2026, 11, 18) not in national
    assert date(2026, 12, 24) not in national


def test_holiday_calendars_are_cached_per_country_subdivision_and_year() -> None:
    assert public_holidays("DE", "SN", 2026) is public_holidays("DE", "SN", 2026)
    assert public_holidays("DE", "SN", 2026) is not public_holidays("DE", "SN", 2027)


@pytest.mark.parametrize(
    ("location", "day", "reason"),
    [
        ("WH-LEIPZIG", date(2026, 12, 23), None),
        ("WH-LEIPZIG", date(2026, 12, 24), "closure"),
        ("WH-LEIPZIG", date(2026, 12, 25), "public_holiday:Erster Weihnachtstag"),
        ("WH-LEIPZIG", date(2026, 12, 26), "public_holiday:Zweiter Weihnachtstag"),
        ("WH-LEIPZIG", date(2026, 12, 27), "weekend"),
        ("WH-LEIPZIG", date(2026, 12, 31), "closure"),
        ("WH-LEIPZIG", date(2027, 1, 1), "public_holiday:Neujahr"),
        ("WH-LEIPZIG", date(2026, 11, 18), "public_holiday:Buß- und Bettag"),
        ("WH-LEIPZIG", date(2026, 10, 31), "public_holiday:Reformationstag"),  # also Saturday
        ("WH-LEIPZIG", date(2026, 4, 3), "public_holiday:Karfreitag"),
        ("WH-LEIPZIG", date(2026, 3, 8), "weekend"),
        ("STORE-BERLIN", date(2026, 3, 8), "public_holiday:Frauentag"),  # also Sunday
        ("STORE-BERLIN", date(2027, 3, 8), "public_holiday:Frauentag"),
        ("STORE-BERLIN", date(2026, 11, 18), None),
        ("STORE-BERLIN", date(2026, 12, 24), None),
        ("STORE-BERLIN", date(2026, 12, 26), "public_holiday:Zweiter Weihnachtstag"),
        ("STORE-BERLIN", date(2026, 12, 5), None),  # Saturday
        ("STORE-BERLIN", date(2026, 12, 6), "weekend"),
    ],
)
def test_closed_reason_of_the_default_locations(
    config: PromiseConfig, location: str, day: date, reason: str | None
) -> None:
    days = config.rules.locations[location].days

    assert days.closed_reason(day) == reason
    assert days.is_open(day) is (reason is None)


def test_a_weekday_outside_the_service_days_is_no_service_day() -> None:
    days = DayCalendar(weekdays=frozenset({0, 2}), country="DE")

    assert days.closed_reason(date(2026, 12, 8)) == "no_service_day"  # Tuesday
    assert days.closed_reason(date(2026, 12, 9)) is None


def test_one_off_closures_close_one_date_only() -> None:
    days = DayCalendar(weekdays=WEEKDAYS, country="DE", closures=frozenset({date(2026, 6, 2)}))

    assert days.closed_reason(date(2026, 6, 2)) == "closure"
    assert days.closed_reason(date(2027, 6, 2)) is None


def test_next_open_crosses_the_year_end(config: PromiseConfig) -> None:
    days = config.rules.locations["WH-LEIPZIG"].days

    assert days.next_open(date(2026, 12, 31).toordinal()) == date(2027, 1, 4).toordinal()
    assert days.next_open(date(2026, 12, 30).toordinal()) == date(2026, 12, 30).toordinal()


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 12, 23), 0, date(2026, 12, 23)),
        (date(2026, 12, 27), 0, date(2026, 12, 28)),  # Sunday: the next open day
        (date(2026, 12, 23), 1, date(2026, 12, 24)),
        (date(2026, 12, 23), 2, date(2026, 12, 28)),
        (date(2026, 12, 23), 8, date(2027, 1, 5)),
    ],
)
def test_nth_open_after_counts_open_days_after_the_start(
    start: date, n: int, expected: date
) -> None:
    # Mon–Sat, German national holidays: the standard delivery calendar
    days = DayCalendar(weekdays=frozenset(range(6)), country="DE")

    assert days.nth_open_after(start.toordinal(), n) == expected.toordinal()


def test_tables_stay_right_after_many_years_evict_the_cache() -> None:
    days = DayCalendar(weekdays=WEEKDAYS, country="DE", subdivision="SN")
    christmas_eve = date(2026, 12, 24).toordinal()
    first = days.next_open(christmas_eve)

    for year in range(2030, 2045):  # more years than are kept
        days.next_open(date(year, 6, 1).toordinal())

    assert days.next_open(christmas_eve) == first == christmas_eve


def test_a_calendar_without_weekdays_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one open weekday"):
        DayCalendar(weekdays=frozenset(), country="DE")


def test_closed_forever_fails_loudly_instead_of_looping() -> None:
    every_day = frozenset((month, day) for month in range(1, 13) for day in range(1, 32))
    days = DayCalendar(weekdays=WEEKDAYS, country="DE", annual_closures=every_day)

    with pytest.raises(ValueError, match="no open day"):
        days.next_open(date(2026, 1, 1).toordinal())


@pytest.mark.parametrize(
    ("day", "utc"),
    [
        (date(2026, 3, 27), datetime(2026, 3, 27, 16, tzinfo=UTC)),
        (date(2026, 3, 30), datetime(2026, 3, 30, 15, tzinfo=UTC)),
        (date(2026, 10, 23), datetime(2026, 10, 23, 15, tzinfo=UTC)),
        (date(2026, 10, 26), datetime(2026, 10, 26, 16, tzinfo=UTC)),
    ],
)
def test_cutoff_is_wall_clock_time_in_the_location_zone(day: date, utc: datetime) -> None:
    clock = CutoffClock(DayCalendar(weekdays=WEEKDAYS, country="DE"), BERLIN, time(17))

    ts, local = clock.cutoff_instant(day.toordinal())

    assert ts == utc.timestamp()
    assert local == utc
    assert local.tzinfo is BERLIN


@pytest.mark.parametrize(
    ("at", "ship"),
    [
        (datetime(2026, 12, 23, 16, 59, 59, tzinfo=BERLIN), date(2026, 12, 23)),
        (datetime(2026, 12, 23, 17, 0, 0, tzinfo=BERLIN), date(2026, 12, 28)),
        (datetime(2026, 12, 24, 9, 0, 0, tzinfo=BERLIN), date(2026, 12, 28)),
        (datetime(2026, 12, 28, 0, 0, 0, tzinfo=BERLIN), date(2026, 12, 28)),
    ],
)
def test_ship_day_is_today_only_strictly_before_the_cutoff(
    config: PromiseConfig, at: datetime, ship: date
) -> None:
    leipzig = config.rules.locations["WH-LEIPZIG"]
    clock = CutoffClock(leipzig.days, leipzig.zone, time(17))

    assert clock.ship_day(clock.local_ordinal(at), at.timestamp()) == ship.toordinal()


@settings(max_examples=300, derandomize=True)
@given(
    at=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(BERLIN)),
    first=st.integers(0, 8),
    extra=st.integers(0, 3),
)
def test_the_kept_day_plan_and_window_are_the_calendar_walked_day_by_day(
    config: PromiseConfig, at: datetime, first: int, extra: int
) -> None:
    # Given Leipzig's handling days (Saxon holidays) and the Saxon delivery days
    leipzig = config.rules.locations["WH-LEIPZIG"]
    clock = CutoffClock(leipzig.days, leipzig.zone, time(17))
    delivery = DayCalendar(weekdays=frozenset(range(6)), country="DE", subdivision="SN")

    # When an order at `at` is planned from the kept tables (asked twice: built, then kept)
    for _ in range(2):
        cutoff, before, after = clock.day_plan(clock.local_ordinal(at))
        ship, ship_day, order_by = after if at.timestamp() >= cutoff else before
        earliest, latest = delivery.delivery_window(ship, first, first + extra)

    # Then it is what walking the calendars day by day gives
    day = at.date()
    while not leipzig.days.is_open(day):
        day += timedelta(days=1)
    if day == at.date() and at.time() >= time(17):
        day += timedelta(days=1)
        while not leipzig.days.is_open(day):
            day += timedelta(days=1)
    assert (ship, ship_day) == (day.toordinal(), day)
    assert order_by == datetime.combine(day, time(17), tzinfo=BERLIN)
    assert (earliest, latest) == (_walk(delivery, day, first), _walk(delivery, day, first + extra))


def _walk(days: DayCalendar, start: date, n: int) -> date:
    """The n-th open day after `start` (n = 0: `start` when open, else the next open day)."""
    day = start
    while not days.is_open(day):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not days.is_open(day):
            day += timedelta(days=1)
    return day
