"""What a message may say beyond the shop's own words: the new day a delay message names."""

from __future__ import annotations

from datetime import date


def later_delivery(estimate: date | None, promised_latest: date | None) -> date | None:
    """The new day a delay message may name: only one after the promised last day. An estimate
    within the promise is no new date; a message without one says it has none yet."""
    if estimate is None or promised_latest is None or estimate <= promised_latest:
        return None
    return estimate
