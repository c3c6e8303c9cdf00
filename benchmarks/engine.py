"""Delivery-promise engine throughput: quotes per second on one core.

The engine alone (no pydantic, tokens or HTTP): a 3-item cart to Berlin 10115, every method, the
order instant moving through two years, so cut-offs, weekends, holidays and both DST switches all
occur. Calendars warm up first, as in a container that has served a few requests. The median of
several rounds is reported because the machine is shared and noisy.
Target: > 20,000 quotes/s.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.config.loader import load_config
from chalicelib.domain.promise.engine import QuoteInput, quote

TARGET_QUOTES_PER_SECOND = 20_000
CART = (("TSHIRT-M", 2), ("MUG-LOGO", 1), ("CAP-ONE", 1))
START = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 2 * 365 * 24 * 60
INSTANTS = 5_000


def measure(rounds: int = 5, quotes_per_round: int = 20_000) -> dict[str, Any]:
    config = load_config()
    rng = random.Random(2026)  # fixed seed: the same instants every run
    requests = [
        QuoteInput("DE", "10115", CART, START + timedelta(minutes=rng.randrange(SPAN_MINUTES)))
        for _ in range(INSTANTS)
    ]
    for request in requests:  # warm-up: holiday calendars and day tables of both years
        quote(config, request)
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for index in range(quotes_per_round):
            quote(config, requests[index % INSTANTS])
        rates.append(quotes_per_round / (time.perf_counter() - started))
    median = statistics.median(rates)
    return {
        "quotes_per_second": round(median),
        "best_quotes_per_second": round(max(rates)),
        "microseconds_per_quote": round(1e6 / median, 1),
        "target_quotes_per_second": TARGET_QUOTES_PER_SECOND,
        "meets_target": median > TARGET_QUOTES_PER_SECOND,
    }


if __name__ == "__main__":
    result = measure()
    print(result)
    sys.exit(0 if result["meets_target"] else 1)
