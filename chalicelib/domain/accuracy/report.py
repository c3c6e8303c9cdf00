"""The accuracy report from the ``accuracy`` counter's day buckets: shares, not raw counts.

Each day item carries the totals (``delivered``, ``within``, ``early``, ``late1..3``,
``window_days``) and, per lane, ``<lane>|delivered`` and ``<lane>|<outcome>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.domain.accuracy.lanes import Lane


@dataclass(frozen=True, slots=True)
class LaneFigures:
    lane: Lane
    delivered: int
    within: int

    @property
    def within_share(self) -> float:
        return _share(self.within, self.delivered)


@dataclass(frozen=True, slots=True)
class AccuracyFigures:
    delivered: int
    within: int
    early: int
    late: tuple[int, int, int]  # by 1, 2, 3+ days
    window_days: int
    lanes: tuple[LaneFigures, ...]  # busiest first

    def share(self, count: int) -> float:
        return _share(count, self.delivered)

    @property
    def mean_window_days(self) -> float:
        return round(self.window_days / self.delivered, 2) if self.delivered else 0.0


def figures(totals: Mapping[str, int]) -> AccuracyFigures:
    """``totals``: the day buckets of the range added up (``facts.merge_amounts``)."""
    lanes: dict[str, dict[str, int]] = {}
    for name, count in totals.items():
        lane, _, figure = name.rpartition("|")
        if lane and figure in ("delivered", "within"):
            lanes.setdefault(lane, {})[figure] = count
    per_lane = sorted(
        (
            LaneFigures(Lane.from_key(key), counts.get("delivered", 0), counts.get("within", 0))
            for key, counts in lanes.items()
            if key.count("|") == 3
        ),
        key=lambda f: (-f.delivered, f.lane.key),
    )
    return AccuracyFigures(
        delivered=totals.get("delivered", 0),
        within=totals.get("within", 0),
        early=totals.get("early", 0),
        late=(totals.get("late1", 0), totals.get("late2", 0), totals.get("late3", 0)),
        window_days=totals.get("window_days", 0),
        lanes=tuple(per_lane),
    )


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0
