"""DynamoDB cost of one carrier event: requests and consumed capacity per webhook event.

Counts every DynamoDB call the webhook route makes (botocore events on the real client, against
in-process moto) while a parcel receives a day of events, one request each. Target: at most one
transaction plus one read per event.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

MERCHANT_KEY = "bench-merchant-key"
WEBHOOK_SECRET = "bench-webhook-secret"
DHL = "00340434161094042557"
STATUSES = [
    "info_received",
    "in_transit",
    "in_transit",
    "in_transit",
    "out_for_delivery",
    "delivered",
]


def _environment() -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="eu-central-1",
        PK_MERCHANT_API_KEY=MERCHANT_KEY,
        PK_WEBHOOK_SECRET=WEBHOOK_SECRET,
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)


def item_size(item: dict[str, Any]) -> int:
    """Bytes of a DynamoDB item by the service's sizing rules (names plus typed values)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return len(data.lstrip("-").replace(".", "")) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in data.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in data)
    return sum(len(str(v).encode()) for v in data)


def capacity_of(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
    """Capacity units as DynamoDB bills them: transactional writes 2 WCU per KB of each item,
    strongly consistent reads 1 RCU per 4 KB (moto does not report capacity for transactions)."""
    if operation == "TransactWriteItems":
        items = [next(iter(t.values())).get("Item", {}) for t in params["TransactItems"]]
        return float(sum(2 * max(1, -(-item_size(i) // 1024)) for i in items))
    if operation == "GetItem":
        found = parsed.get("Item") or {}
        return float(max(1, -(-item_size(found) // 4096)))
    return 0.0


def _signed(body: bytes) -> dict[str, str]:
    import hashlib
    import hmac

    t = str(int(datetime.now(UTC).timestamp()))
    mac = hmac.new(WEBHOOK_SECRET.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Signature": f"t={t},v1={mac}"}


def measure() -> dict[str, Any]:
    _environment()
    import boto3
    from moto import mock_aws

    from chalicelib import deps, settings
    from devstack.gateway import GatewayClient
    from devstack.resources import create_queues, create_tables

    # Another benchmark in the same run may have read settings and built clients already.
    settings.reset_caches()
    deps.reset()
    with mock_aws():
        create_tables(boto3.client("dynamodb"))
        create_queues(boto3.client("sqs"))
        from app import app

        merchant = {"Authorization": f"Bearer {MERCHANT_KEY}", "Content-Type": "application/json"}
        with GatewayClient(app) as client:
            order = {
                "order_id": "B1", "placed_at": "2026-12-21T10:00:00+01:00",
                "customer": {"name": "Bench", "email": "bench@example.com", "locale": "de-DE"},
                "destination": {"country": "DE", "postal_code": "10115"},
                "items": [{"sku": "TSHIRT-M", "quantity": 1}],
                "promise": {"method": "standard", "earliest": "2026-12-22", "latest": "2026-12-23"},
            }  # fmt: skip
            shipment = {
                "shipment_id": "S1", "carrier": "dhl", "tracking_number": DHL,
                "items": [{"sku": "TSHIRT-M", "quantity": 1}],
            }  # fmt: skip
            client.http.post("/v1/orders", headers=merchant, body=json.dumps(order))
            client.http.post("/v1/orders/B1/shipments", headers=merchant, body=json.dumps(shipment))

            calls: Counter[str] = Counter()
            capacity: Counter[str] = Counter()
            sent: dict[str, Any] = {}

            def remember(params: dict[str, Any], model: Any, **_: Any) -> None:
                sent[model.name] = params

            def count(model: Any, parsed: dict[str, Any], **_: Any) -> None:
                calls[model.name] += 1
                capacity[model.name] += capacity_of(model.name, sent[model.name], parsed)

            events = deps.dynamodb().meta.events
            events.register("provide-client-params.dynamodb", remember)
            events.register("after-call.dynamodb", count)
            start = datetime(2026, 12, 22, 6, tzinfo=UTC)
            for n, status in enumerate(STATUSES):
                event = {
                    "event_id": f"e{n}", "carrier": "dhl", "tracking_number": DHL,
                    "status": status, "occurred_at": (start + timedelta(hours=n)).isoformat(),
                }  # fmt: skip
                body = json.dumps({"events": [event]}).encode()
                response = client.http.post(
                    "/v1/webhooks/generic", headers=_signed(body), body=body
                )
                assert response.status_code == 200, response.body
            # A duplicate delivery: what does a replay cost?
            client.http.post("/v1/webhooks/generic", headers=_signed(body), body=body)

    events = len(STATUSES) + 1  # including the replayed duplicate
    per_event = {op: round(n / events, 2) for op, n in sorted(calls.items())}
    reads = calls["GetItem"] + calls["Query"]
    transactions = calls["TransactWriteItems"]
    return {
        "events": events,
        "requests_per_event": per_event,
        "read_capacity_units_per_event": round(capacity["GetItem"] / events, 2),
        "write_capacity_units_per_event": round(capacity["TransactWriteItems"] / events, 2),
        "meets_target": reads <= events
        and transactions <= events
        and sum(calls.values()) <= 2 * events,
    }


if __name__ == "__main__":
    print(measure())
