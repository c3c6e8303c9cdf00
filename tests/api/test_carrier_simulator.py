"""A tiny run of the carrier simulator: the proof in docs/performance.md keeps working."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from benchmarks.carrier_simulator import (
    DEFAULT_PROFILE,
    SMOKE_PROFILE,
    Fate,
    LaneProfile,
    chance_within,
    measure,
    miss_cause,
)
from chalicelib import deps, settings
from tests.api.conftest import app_under_test

# Every variable the simulator sets or removes (the autouse environment fixture restores PK_*/AWS_*
# it saw; these are recorded here too, so that the test leaves the process as it found it).
SIMULATOR_VARIABLES = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
    "PK_MERCHANT_API_KEY", "PK_WEBHOOK_SECRET", "PK_LEARNED_WINDOWS", "PK_LEARNED_MIN_PARCELS",
    "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_LOG_LEVEL",
)  # fmt: skip


@pytest.fixture
def simulator_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in SIMULATOR_VARIABLES:
        monkeypatch.setenv(key, os.environ.get(key, "set by the simulator"))
    yield
    settings.reset_caches()
    deps.reset()


def test_a_small_seeded_run_learns_a_one_day_lane(simulator_environment: None) -> None:
    # Given one lane whose parcels all arrive the next delivery day, learned from 3 parcels
    # When a week of orders is played and the following week quoted with and without learning
    result = measure(seed=3, profile=SMOKE_PROFILE, app=app_under_test())

    # Then every training parcel became a fact, the rule's 1–2 days hold every parcel, and the
    # learned window is the one day the lane takes
    assert result["delivered_facts"] == result["training_orders"] == 6
    assert result["evaluation_week"] == SMOKE_PROFILE.evaluation_week.isoformat()
    lane = {"parcels": 6, "within_window": 1.0, "expected_within": 1.0, "mean_window_days": 2.0}
    assert result["static_rules"] == {
        **lane,
        "lanes": {"DE-10": lane},
        "misses": {},
        "exceptions_not_scored": 0,
    }
    learned = {"parcels": 6, "within_window": 1.0, "expected_within": 1.0, "mean_window_days": 1.0}
    assert result["learned_windows"] == {
        **learned,
        "lanes": {"DE-10": learned},
        "misses": {},
        "exceptions_not_scored": 0,
    }
    assert result["learned_lanes"] == {"DE-10": "6 parcels, 1 day"}
    assert result["meets_target"] is True


def test_a_miss_is_told_apart_by_its_cause() -> None:
    # Given a window of 10–11 November
    earliest, latest = date(2026, 11, 10), date(2026, 11, 11)

    # Then a parcel within it is no miss, and one outside is early, late by its lane's own
    # transit, or late only by the Friday backlog or the peak season's extra day
    assert miss_cause(Fate(date(2026, 11, 11), date(2026, 11, 11)), earliest, latest) is None
    assert miss_cause(Fate(date(2026, 11, 9), date(2026, 11, 9)), earliest, latest) == "early"
    beyond = Fate(date(2026, 11, 12), date(2026, 11, 12))
    assert miss_cause(beyond, earliest, latest) == "late: transit beyond the window"
    peak = Fate(date(2026, 11, 12), date(2026, 11, 11), peak_delay=True)
    assert miss_cause(peak, earliest, latest) == "late: peak season"
    both = Fate(date(2026, 11, 13), date(2026, 11, 11), friday_delay=True, peak_delay=True)
    assert miss_cause(both, earliest, latest) == "late: Friday handover and peak season"


class EveryDayDelivers:
    """Delivery days without weekends or holidays: the n-th after a day is n days later."""

    def nth_open_after(self, day: int, n: int) -> int:
        return day + n


def test_the_expected_share_follows_the_ground_truths_distributions() -> None:
    # Given a lane that delivers 90 % the next day and 10 % the day after
    lane = LaneProfile("DE", ("10115",), ((1, 0.9), (2, 0.1)), 1)
    days = EveryDayDelivers()
    tuesday, friday, peak_tuesday = date(2026, 11, 10), date(2026, 11, 13), date(2026, 11, 24)

    def chance(ship: date, low: int, high: int) -> float:
        window = (ship + timedelta(days=low), ship + timedelta(days=high))
        return chance_within(DEFAULT_PROFILE, lane, ship, window, days)

    # Then a one-day window holds 90 % on a Tuesday, less after a Friday handover (5 % wait
    # for Monday) and in the peak season (5 % take a day longer), and a wide one holds all
    assert chance(tuesday, 1, 1) == pytest.approx(0.9)
    assert chance(friday, 1, 1) == pytest.approx(0.9 * 0.95)
    assert chance(peak_tuesday, 1, 2) == pytest.approx(0.9 + 0.1 * 0.95)
    assert chance(tuesday, 1, 3) == pytest.approx(1.0)
