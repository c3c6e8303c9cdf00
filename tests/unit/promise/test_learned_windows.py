"""The quote with learned lanes: a lane with enough parcels quotes its learned window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.promise.engine import MethodPromise

LEIPZIG_BERLIN = "dhl|paket|WH-LEIPZIG|DE-10"
AT = "2027-01-12T10:00:00+01:00"  # a Tuesday before the cut-off
BERLIN = ZoneInfo("Europe/Berlin")


def windows(option: MethodPromise) -> list[tuple[str | None, str]]:
    return [(s.reason, s.detail) for s in option.steps if s.step == "window"]


def test_a_lane_with_enough_parcels_quotes_its_narrowest_window(
    offer: Callable[..., MethodPromise],
) -> None:
    lanes = LearnedLanes({LEIPZIG_BERLIN: {1: 1190, 2: 20, 3: 30}}, min_parcels=100)

    learned = offer("standard", AT, explain=True, learned=lanes)
    ruled = offer("standard", AT, explain=True)

    assert (ruled.earliest.isoformat(), ruled.latest.isoformat()) == ("2027-01-13", "2027-01-14")
    assert (learned.earliest.isoformat(), learned.latest.isoformat()) == (
        "2027-01-13",
        "2027-01-13",
    )
    assert windows(learned) == [
        (
            "learned",
            "learned from 1,240 dhl/paket WH-LEIPZIG → DE-10 parcels: 96.0 % within 1 day",
        )
    ]
    assert windows(ruled) == [("rule", "rule standard-de")]


def test_a_slow_lane_widens_the_window_the_rule_would_give(
    offer: Callable[..., MethodPromise],
) -> None:
    lanes = LearnedLanes({LEIPZIG_BERLIN: {1: 20, 2: 60, 3: 120}}, min_parcels=100)

    learned = offer("standard", AT, learned=lanes)

    assert (learned.earliest.isoformat(), learned.latest.isoformat()) == (
        "2027-01-13",
        "2027-01-15",
    )


def test_a_lane_below_the_minimum_and_other_lanes_keep_their_rules(
    offer: Callable[..., MethodPromise],
) -> None:
    lanes = LearnedLanes({LEIPZIG_BERLIN: {1: 99}}, min_parcels=100)

    assert offer("standard", AT, learned=lanes).latest.isoformat() == "2027-01-14"
    assert offer("standard", AT, postal_code="80331", learned=LearnedLanes(
        {LEIPZIG_BERLIN: {1: 1000}}, min_parcels=100
    )).latest.isoformat() == "2027-01-14"  # fmt: skip


@pytest.mark.parametrize(
    ("at", "handover", "delivery"),
    [
        # Thursday after the 17:00 cut-off: handed over Friday, delivered Saturday (DE delivers)
        ("2027-01-14T17:30:00+01:00", "2027-01-15", "2027-01-16"),
        # Friday after the cut-off: handed over Monday (no handling at the weekend)
        ("2027-01-15T18:00:00+01:00", "2027-01-18", "2027-01-19"),
        # Saturday: handed over Monday, the learned day counted from there
        ("2027-01-16T09:00:00+01:00", "2027-01-18", "2027-01-19"),
    ],
)
def test_a_learned_window_counts_delivery_days_from_the_handover_day(
    offer: Callable[..., MethodPromise], at: str, handover: str, delivery: str
) -> None:
    # Given a lane learned to deliver the next delivery day
    lanes = LearnedLanes({LEIPZIG_BERLIN: {1: 1000, 2: 10}}, min_parcels=100)

    # When an order misses the day's cut-off or falls on a day without handling
    learned = offer("standard", at, explain=True, learned=lanes)

    # Then the window is one delivery day after the day the parcel is handed over
    (handling,) = [step for step in learned.steps if step.step == "handling"]
    assert handling.date is not None and handling.date.isoformat() == handover
    assert (learned.earliest.isoformat(), learned.latest.isoformat()) == (delivery, delivery)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    minutes=st.integers(0, 60 * 24 * 365),
    low=st.integers(1, 4),
    extra=st.integers(0, 3),
)
def test_every_learned_window_starts_its_count_at_the_handover_day(
    offer: Callable[..., MethodPromise], minutes: int, low: int, extra: int
) -> None:
    # Given a lane whose every parcel took low..low+extra delivery days
    high = low + extra
    lanes = LearnedLanes(
        {LEIPZIG_BERLIN: dict.fromkeys(range(low, high + 1), 100)}, min_parcels=100
    )
    at = datetime(2027, 1, 1, tzinfo=BERLIN) + timedelta(minutes=minutes)

    # When any instant of a year is quoted
    learned = offer("standard", at, explain=True, learned=lanes)

    # Then the window's ends are the low-th and high-th delivery days after the handover day
    (handling,) = [step for step in learned.steps if step.step == "handling"]
    assert handling.date is not None
    (parcel,) = learned.parcels
    days = learned.rule.delivery.calendar("BE")
    handover = handling.date.toordinal()
    assert learned.earliest.toordinal() == days.nth_open_after(handover, low)
    assert learned.latest.toordinal() == days.nth_open_after(handover, high)
    assert parcel.learned is not None and (parcel.learned.low, parcel.learned.high) == (low, high)
