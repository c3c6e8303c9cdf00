"""The event pump's lag as `make run` logs it: how old the oldest record it handed over was.

In AWS, Lambda's IteratorAge (streams) and SQS's ApproximateAgeOfOldestMessage say whether the
functions keep up. Locally the pump measures the same from the records themselves (the stream
record's creation time, the message's SentTimestamp) and logs one line every `every` seconds
while it is busy, and one when it has caught up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class LagReport:
    every: float = 10.0
    clock: Callable[[], float] = time.time
    _oldest: dict[str, float] = field(default_factory=dict)  # source → oldest creation time
    _handled: dict[str, int] = field(default_factory=dict)
    _last_report: float = 0.0
    _behind: bool = False

    def observe(self, source: str, created: Iterable[datetime | float | int | None]) -> None:
        """Records of `source` about to be handed over, by their creation times."""
        times = [c.timestamp() if isinstance(c, datetime) else float(c) for c in created if c]
        self._handled[source] = self._handled.get(source, 0) + len(times)
        if times:
            self._oldest[source] = min(self._oldest.get(source, min(times)), min(times))

    def report(self, busy: int, log: Callable[[str], object]) -> None:
        now = self.clock()
        if busy and self._oldest and now - self._last_report >= self.every:
            log(self.line(now))
            self._reset(now, behind=True)
        elif not busy and self._behind:
            log(f"[pump] caught up: {self._counts()}" if self._handled else "[pump] caught up")
            self._reset(now, behind=False)

    def line(self, now: float) -> str:
        ages = ", ".join(
            f"{source} {now - oldest:.1f} s" for source, oldest in sorted(self._oldest.items())
        )
        return f"[pump] lag (oldest record handed over): {ages or 'none'}; {self._counts()}"

    def _counts(self) -> str:
        handled = ", ".join(f"{n} from {source}" for source, n in sorted(self._handled.items()))
        return f"handled {handled or 'nothing'}"

    def _reset(self, now: float, *, behind: bool) -> None:
        self._oldest.clear()
        self._handled.clear()
        self._last_report = now
        self._behind = behind
