"""Quiet hours 21:00–08:00 in the customer's zone: across midnight and across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.notifications import Recipient, is_quiet, next_send_time

BERLIN = "Europe/Berlin"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # winter (CET, UTC+1)
        ("2026-12-23T19:59", "2026-12-23T19:59"),  # 20:59: still fine
        ("2026-12-23T20:00", "2026-12-24T07:00"),  # 21:00 sharp: quiet, next morning 08:00
        ("2026-12-23T22:30", "2026-12-24T07:00"),  # 23:30
        ("2026-12-23T23:30", "2026-12-24T07:00"),  # 00:30, already the next day locally
        ("2026-12-24T06:59", "2026-12-24T07:00"),  # 07:59
        ("2026-12-24T07:00", "2026-12-24T07:00"),  # 08:00 sharp: fine
        # summer (CEST, UTC+2)
        ("2026-07-01T18:59", "2026-07-01T18:59"),  # 20:59
        ("2026-07-01T19:00", "2026-07-02T06:00"),  # 21:00
        # spring forward, night of 28/29 March 2026: 02:00 → 03:00
        ("2026-03-28T20:30", "2026-03-29T06:00"),  # 21:30 CET → 08:00 CEST
        ("2026-03-29T01:30", "2026-03-29T06:00"),  # 03:30 CEST, just after the gap
        # fall back, night of 24/25 October 2026: 03:00 → 02:00
        ("2026-10-24T19:30", "2026-10-25T07:00"),  # 21:30 CEST → 08:00 CET
        ("2026-10-25T00:30", "2026-10-25T07:00"),  # 02:30 CEST (first pass)
        ("2026-10-25T01:30", "2026-10-25T07:00"),  # 02:30 CET (second pass)
        ("2026-10-25T06:59", "2026-10-25T07:00"),  # 07:59 CET
    ],
)
def test_sms_waits_for_eight_in_berlin(now: str, expected: str) -> None:
    assert next_send_time(utc(now), BERLIN) == utc(expected)


def test_a_night_with_dst_change_still_ends_at_eight_local() -> None:
    # 21:30 to 08:00 is 10.5 h on the wall clock, but 9.5 h in spring and 11.5 h in autumn
    spring = next_send_time(utc("2026-03-28T20:30"), BERLIN) - utc("2026-03-28T20:30")
    autumn = next_send_time(utc("2026-10-24T19:30"), BERLIN) - utc("2026-10-24T19:30")
    assert (spring, autumn) == (timedelta(hours=9, minutes=30), timedelta(hours=11, minutes=30))


@pytest.mark.parametrize(
    ("local", "start", "end", "quiet"),
    [
        (time(20, 59), time(21), time(8), False),
        (time(21, 0), time(21), time(8), True),
        (time(0, 0), time(21), time(8), True),
        (time(7, 59), time(21), time(8), True),
        (time(8, 0), time(21), time(8), False),
        # a window that does not span midnight
        (time(12, 30), time(12), time(14), True),
        (time(14, 0), time(12), time(14), False),
        (time(11, 59), time(12), time(14), False),
        # an empty window: never quiet
        (time(3, 0), time(8), time(8), False),
    ],
)
def test_is_quiet_table(local: time, start: time, end: time, quiet: bool) -> None:
    assert is_quiet(local, start, end) is quiet


ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Sydney", "UTC"]


@given(
    now=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
)
def test_send_time_is_never_early_never_quiet_and_at_most_one_night_away(
    now: datetime, zone: str
) -> None:
    send_at = next_send_time(now, zone)
    local = send_at.astimezone(ZoneInfo(zone))
    assert send_at >= now
    assert not is_quiet(local.time())
    if not is_quiet(now.astimezone(ZoneInfo(zone)).time()):
        assert send_at == now
    else:
        assert local.time() == time(8, 0)
        assert send_at - now <= timedelta(hours=12)  # 11 h of night, plus a DST hour at most


@pytest.mark.parametrize(
    ("country", "now", "expected"),
    [
        # 20:30 UTC is 21:30 in Budapest and 22:30 in Athens: both wait for their 08:00.
        ("HU", datetime(2026, 11, 25, 20, 30, tzinfo=UTC), datetime(2026, 11, 26, 7, tzinfo=UTC)),
        ("GR", datetime(2026, 11, 25, 20, 30, tzinfo=UTC), datetime(2026, 11, 26, 6, tzinfo=UTC)),
        # 08:00 in New York is 05:00 in Los Angeles: without the customer's zone, wait for the
        # west coast's morning (16:00 UTC), when it is day on the east coast too.
        ("US", datetime(2026, 11, 25, 13, tzinfo=UTC), datetime(2026, 11, 25, 16, tzinfo=UTC)),
        # 14:00 in New York, 11:00 in Los Angeles: day everywhere, at once.
        ("US", datetime(2026, 11, 25, 19, tzinfo=UTC), datetime(2026, 11, 25, 19, tzinfo=UTC)),
    ],
)
def test_without_the_customers_zone_it_must_be_day_in_every_zone_of_the_country(
    country: str, now: datetime, expected: datetime
) -> None:
    recipient = Recipient.of(name="Kim", phone="+15551234567", country=country)

    assert next_send_time(now, recipient.night_zones) == expected
    assert not any(
        is_quiet(expected.astimezone(ZoneInfo(zone)).time()) for zone in recipient.night_zones
    )


def test_the_customers_own_zone_wins_over_the_countrys() -> None:
    recipient = Recipient.of(name="Kim", country="US", time_zone="America/New_York")
    morning_in_new_york = datetime(2026, 11, 25, 13, tzinfo=UTC)

    assert recipient.night_zones == ("America/New_York",)
    assert next_send_time(morning_in_new_york, recipient.night_zones) == morning_in_new_york
