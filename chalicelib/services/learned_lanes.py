"""The quote's per-container cache of learned lanes: refreshed every few minutes, never per quote.

A refresh reads the ``lanes`` counter's weekly buckets over the recent horizon (LANE_SHARDS
queries, a few dozen items). When that read fails the quote goes on with what it had (or with
the rules alone) and a warning is logged; the next attempt waits for the next refresh, so an
outage never costs every quote a failing call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.accuracy.learned import LearnedLanes, lanes_from_buckets
from chalicelib.domain.accuracy.projection import LANE_SHARDS, LANES, LANES_DIMENSION, week_of
from chalicelib.observability import logger
from chalicelib.store.counters import CounterStore


class LearnedLaneCache:
    def __init__(
        self,
        counters: CounterStore,
        *,
        horizon_weeks: int,
        min_parcels: int,
        refresh_seconds: float,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._counters = counters
        self._horizon = horizon_weeks
        self._min_parcels = min_parcels
        self._refresh = refresh_seconds
        self._today = today
        self._monotonic = monotonic
        self._lanes: LearnedLanes | None = None
        self._next_refresh = float("-inf")

    def current(self) -> LearnedLanes | None:
        """The learned lanes as of the last refresh (refreshing first when due)."""
        now = self._monotonic()
        if now >= self._next_refresh:
            self._next_refresh = now + self._refresh
            self._lanes = self._read() or self._lanes
        return self._lanes

    def _read(self) -> LearnedLanes | None:
        today = self._today()
        first = week_of(today - timedelta(weeks=self._horizon - 1))
        try:
            read = self._counters.read(LANES, LANES_DIMENSION, first, week_of(today), LANE_SHARDS)
        except (BotoCoreError, ClientError) as exc:
            logger.warning("learned lanes unreadable; quoting from rules", error=type(exc).__name__)
            return None
        lanes = lanes_from_buckets(read.buckets, self._min_parcels)
        if lanes.unreadable:
            logger.warning("learned lanes: counter attributes ignored", ignored=lanes.unreadable)
        return lanes
