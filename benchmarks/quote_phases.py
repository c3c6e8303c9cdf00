"""Where the quote route's time goes: the route cut short after each phase, in one run.

The POST quote's view is swapped for versions of itself that stop after a phase and answer a
fixed body, so every figure includes what a real request pays around the view (Chalice's
dispatch, the middleware, and the cache misses of coming after them); each phase's cost is the
difference to the version before it. Same event, context and method as quote_route (CPU time,
learned windows on, medians of alternating rounds). A version that runs the view twice shows
what the same work costs once the first run has brought it into the caches.

Run alone: python -m benchmarks.quote_phases
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from benchmarks.quote_route import CART, Context, _per_call, api_gateway_event, learned_lanes_on


def measure(rounds: int = 15, calls: int = 100) -> dict[str, Any]:
    with learned_lanes_on():
        return _measure(rounds, calls)


def _measure(rounds: int, calls: int) -> dict[str, Any]:
    from app import app

    context = Context()
    quote_event = api_gateway_event("POST", "/v1/promise/quote", CART)
    health_event = api_gateway_event("GET", "/v1/health", None)
    answer = app(quote_event, context)
    assert answer["statusCode"] == 200, answer["body"]
    versions = _truncated_views(answer["body"])
    timings: dict[str, list[float]] = {name: [] for name in ("health", *versions, "full", "twice")}
    with _view_of(app) as swap:
        real = app.routes["/v1/promise/quote"]["POST"].view_function

        def twice() -> Any:
            real()
            return real()

        for _ in range(rounds):
            timings["health"].append(_per_call(lambda: app(health_event, context), calls))
            for name, view in {**versions, "twice": twice}.items():
                swap(view)
                timings[name].append(_per_call(lambda: app(quote_event, context), calls))
            swap(None)
            timings["full"].append(_per_call(lambda: app(quote_event, context), calls))
    us = {name: statistics.median(values) * 1e6 for name, values in timings.items()}
    # Each phase: the version that stops after it, less the version before it.
    order = [*versions, "full"]
    phases = [*list(versions)[1:], "tokens_and_answer_text"]
    return {
        "health_route_us": round(us["health"]),
        "route_with_a_fixed_answer_us": round(us["fixed_answer"]),
        **{
            f"{phase}_us": round(us[after] - us[before])
            for phase, before, after in zip(phases, order[:-1], order[1:], strict=True)
        },
        "quote_route_us": round(us["full"]),
        # The whole view run a second time in the same request: the same work without the cache
        # misses of a first run after the dispatch and the middleware.
        "view_first_run_us": round(us["full"] - us["fixed_answer"]),
        "view_second_run_us": round(us["twice"] - us["full"]),
    }


def _truncated_views(body: str) -> dict[str, Callable[[], Any]]:
    from chalice.app import Response

    from chalicelib import deps
    from chalicelib.api.http import parse_body
    from chalicelib.api.promise import promise_bp
    from chalicelib.domain.promise.engine import QuoteInput, quote
    from chalicelib.domain.promise.sourcing import merge_items
    from chalicelib.models.promise import QuoteRequest

    def fixed() -> Response:
        return Response(body=body, status_code=200, headers={"Content-Type": "application/json"})

    def parse() -> Response:
        parse_body(promise_bp.current_request, QuoteRequest)
        return fixed()

    def service() -> Response:
        parse_body(promise_bp.current_request, QuoteRequest)
        deps.quote_service()
        return fixed()

    def engine() -> Response:
        request = parse_body(promise_bp.current_request, QuoteRequest)
        quotes = deps.quote_service()
        where = request.destination
        items = merge_items((item.sku, item.quantity) for item in request.items)
        at = request.at or datetime.now(UTC)
        quote(
            quotes.config,
            QuoteInput(
                where.country, where.postal_code, items, at, request.inventory,
                learned=quotes.learned(),
            ),
        )  # fmt: skip
        return fixed()

    return {
        "fixed_answer": fixed,
        "parse_request": parse,
        "find_quote_service": service,
        "engine": engine,
    }


@contextmanager
def _view_of(app: Any) -> Iterator[Callable[[Callable[[], Any] | None], None]]:
    entry = app.routes["/v1/promise/quote"]["POST"]
    real = entry.view_function

    def swap(view: Callable[[], Any] | None) -> None:
        entry.view_function = real if view is None else view

    try:
        yield swap
    finally:
        entry.view_function = real


if __name__ == "__main__":
    print(measure())
