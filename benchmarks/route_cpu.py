"""Warm CPU time per stateless route, and the Lambda memory size at which it fits 1 ms.

Lambda bills in 1 ms steps and gives a function CPU in proportion to its memory: one full vCPU
at 1,769 MB. A route that needs `t` µs of one full core takes about `t × 1769 / memory_mb` µs at
`memory_mb`, so it fits one billing step from `t × 1769 / 1000` MB. This machine's core stands in
for Lambda's vCPU, so the configured size keeps a margin of at least 1.5× over that minimum.

Only the routes that do no I/O are timed here: a route that reads DynamoDB spends its time
waiting on the network, which no memory size shortens (its request count is benchmarked in
webhook_cost).
"""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.quote_route import CART, Context, api_gateway_event, learned_lanes_on

FULL_VCPU_MB = 1769
BILLING_STEP_US = 1000
MARGIN = 1.5
CHALICE_CONFIG = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"
QUOTE_QUERY = {
    "country": "DE",
    "postal_code": "80331",
    "sku": "TSHIRT-M",
    "quantity": "1",  # no "at": the present, whose quote signs its tokens
}


def configured_memory_mb() -> int:
    """The API function's memory size in the prod stage (Chalice's default: 128 MB)."""
    config = json.loads(CHALICE_CONFIG.read_text())
    for scope in (config.get("stages", {}).get("prod", {}), config):
        size = scope.get("lambda_functions", {}).get("api_handler", {}).get("lambda_memory_size")
        if size is not None:
            return int(size)
    return int(config.get("lambda_memory_size", 128))


def _cpu_us(handler: Any, event: dict[str, Any], rounds: int = 9, calls: int = 100) -> float:
    context = Context()
    first = handler(event, context)
    assert first["statusCode"] == 200, first["body"]
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(calls):
            handler(event, context)
        samples.append((time.process_time() - start) / calls * 1e6)
    return statistics.median(samples)


def measure() -> dict[str, Any]:
    with learned_lanes_on():
        return _measure()


def _measure() -> dict[str, Any]:
    from app import app

    get_quote = api_gateway_event("GET", "/v1/promise/quote", None)
    get_quote["queryStringParameters"] = QUOTE_QUERY
    get_quote["multiValueQueryStringParameters"] = {k: [v] for k, v in QUOTE_QUERY.items()}
    events = {
        "GET /v1/health": api_gateway_event("GET", "/v1/health", None),
        "POST /v1/promise/quote": api_gateway_event("POST", "/v1/promise/quote", CART),
        "GET /v1/promise/quote": get_quote,
    }
    cpu = {name: round(_cpu_us(app, event)) for name, event in events.items()}
    slowest = max(cpu.values())
    needed_mb = math.ceil(slowest * FULL_VCPU_MB / BILLING_STEP_US * MARGIN)
    memory = configured_memory_mb()
    return {
        "warm_cpu_us": cpu,
        "memory_mb_needed_with_margin": needed_mb,
        "api_handler_memory_mb": memory,
        "slowest_at_configured_memory_us": round(slowest * FULL_VCPU_MB / memory),
        "meets_target": memory >= needed_mb,
    }


if __name__ == "__main__":
    print(measure())
