"""Windows learned from a lane's transit histogram: the narrowest range that covers the share."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.accuracy.learned import LearnedLanes, lanes_from_buckets, narrowest_window

LANE = "dhl|paket|WH-LEIPZIG|DE-10"


@pytest.mark.parametrize(
    ("histogram", "share", "window"),
    [
        ({1: 80, 2: 17, 3: 3}, 0.95, (1, 2, 97)),
        ({1: 96, 2: 4}, 0.95, (1, 1, 96)),
        ({1: 10, 2: 50, 3: 40}, 0.90, (2, 3, 90)),
        ({0: 1, 1: 1, 5: 98}, 0.95, (5, 5, 98)),
        ({1: 50, 2: 50}, 1.0, (1, 2, 100)),
        ({2: 30, 4: 70}, 0.95, (2, 4, 100)),  # a gap inside the window still counts as width
        ({1: 52, 2: 48}, 0.45, (1, 1, 52)),  # equally narrow: the one that covers more
        ({1: 50, 2: 50}, 0.5, (2, 2, 50)),  # equally narrow and as full: the later
        ({1: 3, 2: 46, 3: 48, 4: 3}, 0.9, (2, 3, 94)),
        ({1: 48, 2: 48, 3: 4}, 0.9, (1, 2, 96)),
    ],
)
def test_the_narrowest_range_that_covers_the_share(
    histogram: dict[int, int], share: float, window: tuple[int, int, int]
) -> None:
    assert narrowest_window(histogram, share) == window


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    histogram=st.dictionaries(st.integers(0, 15), st.integers(1, 500), min_size=1, max_size=10),
    share=st.floats(0.51, 1.0),
)
def test_no_narrower_range_covers_the_share(histogram: dict[int, int], share: float) -> None:
    low, high, covered = narrowest_window(histogram, share)
    total = sum(histogram.values())

    assert covered >= share * total
    assert covered == sum(c for d, c in histogram.items() if low <= d <= high)
    for start in range(16):
        narrower = sum(c for d, c in histogram.items() if start <= d < start + (high - low))
        assert narrower < share * total
        as_narrow = sum(c for d, c in histogram.items() if start <= d <= start + (high - low))
        # No range as narrow covers more, and one that covers as much is not later.
        assert as_narrow < covered or (as_narrow == covered and start <= low)


def test_a_lane_with_too_few_parcels_keeps_its_rule() -> None:
    lanes = LearnedLanes({LANE: {1: 60, 2: 39}}, min_parcels=100)

    assert lanes.window(LANE, 0.95) is None
    assert lanes.window("dhl|paket|WH-LEIPZIG|DE-99", 0.95) is None


def test_a_learned_window_says_where_it_came_from() -> None:
    lanes = LearnedLanes({LANE: {1: 1000, 2: 192, 4: 48}}, min_parcels=100)

    window = lanes.window(LANE, 0.95)

    assert window is not None
    assert (window.low, window.high, window.parcels) == (1, 2, 1240)
    assert window.describe("dhl/paket WH-LEIPZIG → DE-10") == (
        "learned from 1,240 dhl/paket WH-LEIPZIG → DE-10 parcels: 96.1 % within 1–2 days"
    )


def test_weekly_buckets_add_up_and_unparseable_attributes_are_counted_not_used() -> None:
    buckets = {
        "2026-W48": {f"{LANE}|n": 2, f"{LANE}|t1": 1, f"{LANE}|t2": 1, f"{LANE}|h0": 2},
        "2026-W49": {f"{LANE}|n": 1, f"{LANE}|t1": 1, f"{LANE}|tx": 5, "garbage": 3},
    }

    lanes = lanes_from_buckets(buckets, min_parcels=1)

    assert lanes.histograms == {LANE: {1: 2, 2: 1}}
    assert lanes.unreadable == 2
    assert lanes.window(LANE, 0.6) is not None
