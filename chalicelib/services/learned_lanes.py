"""The quote's per-container cache of learned lanes: refreshed every few minutes, never per quote.

A refresh reads the projector's snapshot of the learned lanes (one item,
store/learned_snapshot.py); before any projector has written one, the ``lanes`` counter's weekly
buckets over the recent horizon (LANE_SHARDS queries, a few dozen items). When that read fails
the quote goes on with what it had (or with the rules alone) and a warning is logged; the next
attempt waits for the next refresh, so an outage never costs every quote a failing call.

The projector keeps the snapshot (``refresh_snapshot``): after counting delivered parcels it
reads the counters once and rewrites the item only when a lane's window changed at a target
share the rules use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.accuracy.learned import LearnedLanes, lanes_from_buckets, windows_differ
from chalicelib.domain.accuracy.projection import LANE_SHARDS, LANES, LANES_DIMENSION, week_of
from chalicelib.observability import logger
from chalicelib.store.counters import CounterStore
from chalicelib.store.learned_snapshot import LearnedSnapshot, LearnedSnapshotStore


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
        snapshots: LearnedSnapshotStore | None = None,
    ) -> None:
        self._counters = counters
        self._snapshots = snapshots
        # The container's init may be reading while the first quote asks: it waits for that
        # read rather than making a second one.
        self._lock = threading.Lock()
        self._horizon = horizon_weeks
        self._min_parcels = min_parcels
        self._refresh = refresh_seconds
        self._today = today
        self._monotonic = monotonic
        self._lanes: LearnedLanes | None = None
        self._next_refresh = float("-inf")

    def current(self) -> LearnedLanes | None:
        """The learned lanes as of the last refresh (refreshing first when due)."""
        if self._monotonic() >= self._next_refresh:
            with self._lock:
                now = self._monotonic()
                if now >= self._next_refresh:
                    self._next_refresh = now + self._refresh  # a failed read waits its turn too
                    self._lanes = self._read() or self._lanes
        return self._lanes

    def _read(self) -> LearnedLanes | None:
        try:
            snapshot = self._snapshots.read() if self._snapshots is not None else None
            if snapshot is not None:
                return LearnedLanes(snapshot.histograms, 0, self._min_parcels)
            first, last = horizon(self._today(), self._horizon)
            read = self._counters.read(LANES, LANES_DIMENSION, first, last, LANE_SHARDS)
        except (BotoCoreError, ClientError) as exc:
            logger.warning("learned lanes unreadable; quoting from rules", error=type(exc).__name__)
            return None
        lanes = lanes_from_buckets(read.buckets, self._min_parcels)
        if lanes.unreadable:
            logger.warning("learned lanes: counter attributes ignored", ignored=lanes.unreadable)
        return lanes


def horizon(today: date, weeks: int) -> tuple[str, str]:
    """The first and last weekly bucket a learned window is made of."""
    return week_of(today - timedelta(weeks=weeks - 1)), week_of(today)


def refresh_snapshot(
    counters: CounterStore,
    snapshots: LearnedSnapshotStore,
    *,
    horizon_weeks: int,
    min_parcels: int,
    shares: Iterable[float],
    now: datetime,
) -> bool:
    """Rewrite the snapshot if a lane's window changed at a share the rules use (or there is
    none yet); True when written. Store failures raise: the projector's batch is retried."""
    first, last = horizon(now.date(), horizon_weeks)
    read = counters.read(LANES, LANES_DIMENSION, first, last, LANE_SHARDS)
    current = lanes_from_buckets(read.buckets, min_parcels)
    stored = snapshots.read()
    if stored is not None:
        before = LearnedLanes(stored.histograms, 0, min_parcels)
        if not windows_differ(before, current, shares):
            return False
    histograms = {lane: dict(days) for lane, days in current.histograms.items()}
    return snapshots.write(LearnedSnapshot(histograms, now, first, last))
