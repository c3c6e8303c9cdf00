"""A delivered parcel's fact: transit and handling lag in the right days, skew and lost scans."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.accuracy.delivered import Delivery, ParcelDelivered, delivered_payload
from chalicelib.domain.accuracy.lanes import Lane, postal_region
from chalicelib.domain.accuracy.projection import outcome, project_delivered
from chalicelib.domain.promise.calendar import DayCalendar

BERLIN = ZoneInfo("Europe/Berlin")
DELIVERS = DayCalendar(weekdays=frozenset(range(6)), country="DE", subdivision="BY").is_open
HANDLES = DayCalendar(weekdays=frozenset(range(5)), country="DE", subdivision="SN").is_open
LANE = Lane("dhl", "paket", "WH-LEIPZIG", "DE-80")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def delivery(handed: str | None, delivered: str, window: tuple[str, str]) -> Delivery:
    return Delivery(
        lane=LANE,
        method="standard",
        placed_at=at("2027-01-01T20:00"),  # a Friday evening, New Year's Day
        handed_over_at=at(handed) if handed else None,
        delivered_at=at(delivered),
        promised_earliest=date.fromisoformat(window[0]),
        promised_latest=date.fromisoformat(window[1]),
    )


def payload(d: Delivery) -> dict[str, object]:
    fact = delivered_payload(d, zone=BERLIN, delivers=DELIVERS, handles=HANDLES)
    return fact.model_dump(mode="json")


@pytest.mark.parametrize(
    ("country", "postal_code", "region"),
    [("DE", "10115", "DE-10"), ("DE", "80331", "DE-80"), ("AT", "1010", "AT-1")],
)
def test_the_postal_region_of_a_lane(country: str, postal_code: str, region: str) -> None:
    assert postal_region(country, postal_code) == region


def test_transit_counts_the_destinations_delivery_days_and_skips_its_holidays() -> None:
    # Handed over Tuesday 5 Jan; Epiphany (6 Jan) is a Bavarian holiday; delivered Thursday 7th.
    fact = payload(delivery("2027-01-05T18:00", "2027-01-07T11:00", ("2027-01-07", "2027-01-08")))

    assert fact["learning"] == "used"
    assert fact["transit_days"] == 1
    assert fact["handling_days"] == 2  # placed on New Year's Day: handled Monday and Tuesday
    assert fact["window_days"] == 2
    assert fact["delivered_on"] == "2027-01-07"


def test_a_delivery_stamped_before_its_handover_is_not_learned_from() -> None:
    fact = payload(delivery("2027-01-07T18:00", "2027-01-07T11:00", ("2027-01-07", "2027-01-08")))

    assert fact["learning"] == "clock_skew"
    assert fact["transit_days"] is None
    updates = project_delivered(fact)
    assert all(u.family != "lanes" for u in updates)
    assert all(u.amounts["clock_skew"] == 1 for u in updates)


def test_a_parcel_without_a_handover_scan_is_counted_but_not_learned_from() -> None:
    fact = payload(delivery(None, "2027-01-07T11:00", ("2027-01-07", "2027-01-08")))

    assert fact["learning"] == "no_handover"
    assert [u.family for u in project_delivered(fact)] == ["accuracy"] * 4


@pytest.mark.parametrize(
    ("delivered", "expected"),
    [
        ("2027-01-06", "early"),
        ("2027-01-07", "within"),
        ("2027-01-08", "within"),
        ("2027-01-09", "late1"),
        ("2027-01-10", "late2"),
        ("2027-01-11", "late3"),
        ("2027-01-20", "late3"),
    ],
)
def test_the_outcome_against_the_promised_window(delivered: str, expected: str) -> None:
    fact = payload(delivery("2027-01-05T18:00", f"{delivered}T11:00", ("2027-01-07", "2027-01-08")))

    assert outcome(ParcelDelivered.model_validate(fact)) == expected


def test_the_projection_counts_the_lane_per_week_and_the_outcome_per_day_and_filter() -> None:
    fact = payload(delivery("2027-01-05T18:00", "2027-01-07T11:00", ("2027-01-07", "2027-01-08")))

    updates = project_delivered(fact)

    lane = [u for u in updates if u.family == "lanes"]
    assert len(lane) == 1
    assert (lane[0].bucket, lane[0].shards) == ("2027-W01", 4)
    assert lane[0].amounts == {
        f"{LANE.key}|n": 1,
        f"{LANE.key}|t1": 1,
        f"{LANE.key}|h2": 1,
    }
    days = {u.dimension: u for u in updates if u.family == "accuracy"}
    assert set(days) == {
        "carrier=*|method=*",
        "carrier=dhl|method=*",
        "carrier=*|method=standard",
        "carrier=dhl|method=standard",
    }
    assert days["carrier=*|method=*"].amounts == {
        "delivered": 1,
        "within": 1,
        "window_days": 2,
        f"{LANE.key}|delivered": 1,
        f"{LANE.key}|within": 1,
    }
