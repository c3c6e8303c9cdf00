"""Which subdivision (state, Land, canton) a destination postal code lies in.

Carriers do not deliver on the public holidays of the destination's subdivision, so the quote
counts delivery days in that subdivision's calendar. The table is a list of inclusive code
ranges per country; a code in no range is unknown and the caller falls back to national holidays.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from types import MappingProxyType


class PostalRegions:
    """Postal-code ranges → subdivision, per country; a look-up is one bisection."""

    __slots__ = ("_starts", "_ranges")

    def __init__(self, rows: Iterable[tuple[str, str, str, str]] = ()) -> None:
        grouped: dict[tuple[str, int], list[tuple[str, str, str]]] = {}
        for country, low, high, subdivision in rows:
            if len(low) != len(high) or low > high:
                raise ValueError(f"bad postal range {country} {low}-{high}")
            grouped.setdefault((country, len(low)), []).append((low, high, subdivision))
        for entries in grouped.values():
            entries.sort()
        self._ranges: Mapping[tuple[str, int], list[tuple[str, str, str]]] = MappingProxyType(
            grouped
        )
        self._starts = {key: [low for low, _, _ in entries] for key, entries in grouped.items()}

    @property
    def subdivisions(self) -> frozenset[tuple[str, str]]:
        """Every (country, subdivision) the table names."""
        return frozenset(
            (country, subdivision)
            for (country, _), entries in self._ranges.items()
            for _, _, subdivision in entries
        )

    def subdivision(self, country: str, postal_code: str) -> str | None:
        key = (country, len(postal_code))
        starts = self._starts.get(key)
        if starts is None:
            return None
        index = bisect_right(starts, postal_code) - 1
        if index < 0:
            return None
        _, high, subdivision = self._ranges[key][index]
        return subdivision if postal_code <= high else None


NO_REGIONS = PostalRegions()
