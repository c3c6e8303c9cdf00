"""The promise accuracy report: a few dozen counter items for a month, never a scan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.accuracy.lanes import Lane
from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.accuracy.projection import ACCURACY, accuracy_dimension
from chalicelib.domain.accuracy.report import AccuracyFigures, figures
from chalicelib.domain.facts import merge_amounts
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.models.accuracy import AccuracyQuery
from chalicelib.store.counters import CounterStore

DEFAULT_SHARE = 0.95


@dataclass(frozen=True)
class AccuracyService:
    counters: CounterStore
    config: PromiseConfig
    learned: Callable[[], LearnedLanes | None]

    def report(self, query: AccuracyQuery) -> dict[str, Any]:
        """The AccuracyReport contract as JSON values (its aliases "1", "2", "3+" included)."""
        read = self.counters.read(
            ACCURACY,
            accuracy_dimension(query.carrier, query.method),
            query.from_.isoformat(),
            query.to.isoformat(),
        )
        return self._body(figures(merge_amounts(list(read.buckets.values()))))

    def _body(self, result: AccuracyFigures) -> dict[str, Any]:
        late1, late2, late3 = result.late
        return {
            "delivered": result.delivered,
            "within_window": result.share(result.within),
            "early": result.share(result.early),
            "late": {"1": result.share(late1), "2": result.share(late2), "3+": result.share(late3)},
            "mean_window_days": result.mean_window_days,
            "lanes": [
                {
                    "carrier": lane.lane.carrier,
                    "service": lane.lane.service,
                    "origin": lane.lane.origin,
                    "destination": lane.lane.destination,
                    "delivered": lane.delivered,
                    "within_window": lane.within_share,
                    "window": self._window(lane.lane),
                }
                for lane in result.lanes
            ],
        }

    def _window(self, lane: Lane) -> dict[str, Any]:
        learned = self.learned()
        window = learned.window(lane.key, self._share(lane)) if learned else None
        if window is None:
            return {"source": "rule"}
        return {
            "source": "learned",
            "earliest_days": window.low,
            "latest_days": window.high,
            "parcels": window.parcels,
        }

    def _share(self, lane: Lane) -> float:
        country = lane.destination.split("-", 1)[0]
        for rule in self.config.rules.rules:
            if (rule.carrier, rule.service, rule.zone.country) == (
                lane.carrier,
                lane.service,
                country,
            ):
                return rule.learned_share
        return DEFAULT_SHARE
