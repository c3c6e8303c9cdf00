"""The quote with learned lanes: a lane with enough parcels quotes its learned window."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.promise.engine import MethodPromise

LEIPZIG_BERLIN = "dhl|paket|WH-LEIPZIG|DE-10"
AT = "2027-01-12T10:00:00+01:00"  # a Tuesday before the cut-off


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
            "learned from 1,240 dhl/paket WH-LEIPZIG parcels: 96.0 % within 1 day",
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
