"""The quote route's cost against the app's own `GET /v1/health` (same middleware), both invoked
in-process with an API Gateway (REST) event, as Lambda invokes them. Target: the quote of a
three-SKU cart with stock in two locations ≤ 2.5 × health. The ratio to a bare Chalice "hello"
route (no middleware) is reported beside it.

Rounds alternate between the two so that machine noise hits both alike; medians are compared.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

TARGET_RATIO = 2.5
CART = {
    "destination": {"country": "DE", "postal_code": "10115"},
    "items": [
        {"sku": "TSHIRT-M", "quantity": 2},
        {"sku": "MUG-LOGO", "quantity": 1},
        {"sku": "HOODIE-L", "quantity": 1},
    ],
    # No "at": a quote of the present, the one a storefront orders with, signs its tokens (a
    # quote for another instant answers without them, and would time less than checkout pays).
    "inventory": {
        "TSHIRT-M": {"WH-LEIPZIG": 40, "STORE-BERLIN": 2},
        "MUG-LOGO": {"WH-LEIPZIG": 12, "STORE-BERLIN": 3},
        "HOODIE-L": {"WH-LEIPZIG": 5, "STORE-BERLIN": 1},
    },
    "locale": "de-DE",
}


def api_gateway_event(method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Host": "api.shop.example"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "requestId": "bench-request",
            "path": f"/v1{path}",
            "stage": "v1",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


class Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:bench"
    aws_request_id = "bench-request"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@contextmanager
def learned_lanes_on() -> Iterator[None]:
    """Learned windows switched on, as in production: the table (in-process moto) holds a
    learned lane for the benchmark's destination, which the quote reads through its cache."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="eu-central-1",
        PK_LEARNED_WINDOWS="true",
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from moto import mock_aws

    from chalicelib import deps, settings
    from chalicelib.domain.accuracy.projection import week_of
    from chalicelib.store import keys
    from devstack.resources import create_tables

    settings.reset_caches()
    deps.reset()
    with mock_aws():
        client = boto3.client("dynamodb")
        create_tables(client)
        lane = "dhl|paket|WH-LEIPZIG|DE-10"
        histogram = {f"{lane}|n": 1240, f"{lane}|t1": 1190, f"{lane}|t2": 50}
        item = {
            **keys.counter_key("lanes", "all", 0, week_of(datetime.now(UTC).date())),
            **histogram,
        }
        client.put_item(
            TableName=settings.get_settings().table_name,
            Item={k: {"S": v} if isinstance(v, str) else {"N": str(v)} for k, v in item.items()},
        )
        yield
    settings.reset_caches()
    deps.reset()


def hello_app() -> Any:
    from chalice import Chalice

    app = Chalice(app_name="hello")

    @app.route("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app


def _per_call(handler: Callable[[], Any], calls: int) -> float:
    # CPU time of this process, not wall time: on a shared machine, time spent descheduled
    # would otherwise land on whichever route happened to be running.
    start = time.process_time()
    for _ in range(calls):
        handler()
    return (time.process_time() - start) / calls


def measure(rounds: int = 15, calls: int = 100) -> dict[str, Any]:
    with learned_lanes_on():
        return _measure(rounds, calls)


def _measure(rounds: int, calls: int) -> dict[str, Any]:
    from app import app

    hello = hello_app()
    context = Context()
    quote_event = api_gateway_event("POST", "/v1/promise/quote", CART)
    health_event = api_gateway_event("GET", "/v1/health", None)
    hello_event = api_gateway_event("GET", "/hello", None)
    first = app(quote_event, context)
    assert first["statusCode"] == 200, first["body"]
    options = json.loads(first["body"])["options"]
    assert len(options) >= 3
    standard = next(o for o in options if o["method"] == "standard")
    assert standard["delivery"]["earliest"] == standard["delivery"]["latest"], "not learned"
    timings: dict[str, list[float]] = {"quote": [], "health": [], "hello": []}
    for _ in range(rounds):
        timings["quote"].append(_per_call(lambda: app(quote_event, context), calls))
        timings["health"].append(_per_call(lambda: app(health_event, context), calls))
        timings["hello"].append(_per_call(lambda: hello(hello_event, context), calls))
    quote_us, health_us, hello_us = (statistics.median(timings[k]) * 1e6 for k in timings)
    return {
        "quote_route_us": round(quote_us),
        # The same app's cheapest route: what Powertools' logger, metrics and tracer and the
        # problem-details middleware cost every request before any work is done.
        "health_route_us": round(health_us),
        "ratio": round(quote_us / health_us, 2),
        "target_ratio": TARGET_RATIO,
        "hello_route_us": round(hello_us),
        "ratio_to_bare_chalice": round(quote_us / hello_us, 2),
    }


if __name__ == "__main__":
    print(measure())
