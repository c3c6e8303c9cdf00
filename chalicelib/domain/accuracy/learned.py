"""Delivery windows learned from a lane's transit histogram.

A lane's window is the narrowest range of transit days (counted like a rule's ``transit_days``)
that covered at least the target share of its parcels; with fewer parcels than the minimum,
the lane has no learned window and the quote keeps its rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chalicelib.domain.facts import merge_amounts

_UNSEEN = object()  # a lane not yet asked about (None is an answer: quote from the rule)


@dataclass(frozen=True, slots=True)
class LearnedWindow:
    low: int  # transit days, like a rule's transit_days.min
    high: int
    parcels: int
    covered: float  # share of the lane's parcels that arrived within low..high
    lane: str  # the lane's key (Lane.key)

    def describe(self, lane: str) -> str:
        days = f"{self.low}" if self.low == self.high else f"{self.low}–{self.high}"
        unit = "day" if days == "1" else "days"
        return (
            f"learned from {self.parcels:,} {lane} parcels: "
            f"{self.covered * 100:.1f} % within {days} {unit}"
        )


def narrowest_window(histogram: Mapping[int, int], share: float) -> tuple[int, int, int]:
    """(low, high, parcels covered) of the narrowest day range holding ≥ share of the parcels.

    Among equally narrow ranges, the one that covers the most parcels, and of those the later:
    a parcel that comes a day early disappoints less than one that comes a day late.
    """
    total = sum(histogram.values())
    if total <= 0:
        raise ValueError("an empty histogram has no window")
    need = share * total
    days = sorted(day for day, count in histogram.items() if count > 0)
    best: tuple[int, int, int] | None = None
    for i, low in enumerate(days):
        covered = 0
        for high in days[i:]:
            covered += histogram[high]
            if covered >= need:
                if best is None or _better((low, high, covered), best):
                    best = (low, high, covered)
                break
    assert best is not None  # the whole range always covers everything
    return best


def _better(window: tuple[int, int, int], than: tuple[int, int, int]) -> bool:
    """Narrower first, then more parcels covered, then later (the candidates come early first)."""
    (low, high, covered), (best_low, best_high, best_covered) = window, than
    width, best_width = high - low, best_high - best_low
    return width < best_width or (width == best_width and covered >= best_covered)


@dataclass(frozen=True)
class LearnedLanes:
    """Every lane's transit histogram over the recent horizon, as the quote's cache holds it."""

    histograms: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    unreadable: int = 0  # counter attributes that did not parse (ignored)
    min_parcels: int = 100  # fewer delivered parcels than this: the lane keeps its rule
    _windows: dict[tuple[str, float], LearnedWindow | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    def window(self, lane: str, share: float) -> LearnedWindow | None:
        """The lane's learned window, computed once per snapshot; None: quote from the rule."""
        key = (lane, share)
        found = self._windows.get(key, _UNSEEN)  # one look-up: every parcel of a quote asks
        if found is _UNSEEN:
            found = self._windows[key] = self._learn(lane, share)
        return found  # type: ignore[return-value]

    def _learn(self, lane: str, share: float) -> LearnedWindow | None:
        histogram = self.histograms.get(lane)
        parcels = sum(histogram.values()) if histogram else 0
        if histogram is None or parcels < max(self.min_parcels, 1):
            return None
        low, high, covered = narrowest_window(histogram, share)
        return LearnedWindow(low, high, parcels, covered / parcels, lane)


def lanes_from_buckets(
    buckets: Mapping[str, Mapping[str, int]], min_parcels: int = 100
) -> LearnedLanes:
    """The ``lanes`` counter's weekly buckets added up into one histogram per lane."""
    histograms: dict[str, dict[int, int]] = {}
    unreadable = 0
    for name, count in merge_amounts(list(buckets.values())).items():
        lane, _, bin_name = name.rpartition("|")
        if bin_name == "n" or bin_name.startswith("h"):
            continue  # totals and handling lags: the window is learned from transit alone
        if not lane or not bin_name.startswith("t") or not bin_name[1:].isdigit() or count < 0:
            unreadable += 1
            continue
        days = histograms.setdefault(lane, {})
        days[int(bin_name[1:])] = days.get(int(bin_name[1:]), 0) + count
    return LearnedLanes(histograms, unreadable, min_parcels)


def windows_differ(before: LearnedLanes, after: LearnedLanes, shares: Iterable[float]) -> bool:
    """Whether any lane's learned window (or its having one at all) differs between the two, at
    any of the target shares the rules use: what makes the quote's snapshot worth rewriting."""
    lanes = set(before.histograms) | set(after.histograms)
    for share in set(shares):
        for lane in lanes:
            old, new = before.window(lane, share), after.window(lane, share)
            if (old is None) != (new is None):
                return True
            if old is not None and new is not None and (old.low, old.high) != (new.low, new.high):
                return True
    return False
