"""DynamoDB cost of carrier events: requests and consumed capacity per webhook event.

Counts every DynamoDB call the webhook route makes (botocore events on the real client, against
in-process moto) in two cases:

- a parcel receives a day of events, one request each (and one replayed): target at most one
  transaction plus one read per event;
- a parcel's backlog of 100 events in one request (an aggregator catching up after a scan
  outage): target one read and at most two transactions for the whole request.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks import in_process_environment

MERCHANT_KEY = "bench-merchant-key"
WEBHOOK_SECRET = "bench-webhook-secret"
DHL = "00340434161094042557"
BACKLOG_PARCEL = "JJD000390007283461"
BACKLOG = 100
STATUSES = [
    "info_received",
    "in_transit",
    "in_transit",
    "in_transit",
    "out_for_delivery",
    "delivered",
]


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


class DynamoDBCalls:
    """Requests and billed capacity of the app's DynamoDB client, by operation."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        self.capacity: defaultdict[str, float] = defaultdict(float)  # units come in fractions
        self._sent: dict[str, Any] = {}
        client.meta.events.register("provide-client-params.dynamodb", self._remember)
        client.meta.events.register("after-call.dynamodb", self._count)

    def _remember(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._sent[model.name] = params

    def _count(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        self.calls[model.name] += 1
        self.capacity[model.name] += capacity_of(model.name, self._sent[model.name], parsed)

    def reset(self) -> None:
        self.calls.clear()
        self.capacity.clear()

    def per_event(self, events: int) -> dict[str, Any]:
        return {
            "events": events,
            "requests": dict(sorted(self.calls.items())),
            "requests_per_event": {
                op: round(n / events, 2) for op, n in sorted(self.calls.items())
            },
            "read_capacity_units_per_event": round(self.capacity["GetItem"] / events, 2),
            "write_capacity_units_per_event": round(
                self.capacity["TransactWriteItems"] / events, 2
            ),
        }


def _order(order_id: str) -> dict[str, Any]:
    return {
        "order_id": order_id, "placed_at": "2026-12-21T10:00:00+01:00",
        "customer": {"name": "Bench", "email": "bench@example.com", "locale": "de-DE"},
        "destination": {"country": "DE", "postal_code": "10115"},
        "items": [{"sku": "TSHIRT-M", "quantity": 1}],
        "promise": {"method": "standard", "earliest": "2026-12-22", "latest": "2026-12-23"},
    }  # fmt: skip


def _shipment(tracking_number: str) -> dict[str, Any]:
    return {
        "shipment_id": "S1", "carrier": "dhl", "tracking_number": tracking_number,
        "items": [{"sku": "TSHIRT-M", "quantity": 1}],
    }  # fmt: skip


def _event(n: int, tracking_number: str, status: str, at: datetime) -> dict[str, Any]:
    return {
        "event_id": f"e{n}", "carrier": "dhl", "tracking_number": tracking_number,
        "status": status, "occurred_at": at.isoformat(),
    }  # fmt: skip


def _webhook(client: Any, events: list[dict[str, Any]]) -> dict[str, Any]:
    body = json.dumps({"events": events}).encode()
    response = client.http.post("/v1/webhooks/generic", headers=_signed(body), body=body)
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = json.loads(response.body)
    return answer


def _one_per_webhook(client: Any, calls: DynamoDBCalls) -> dict[str, Any]:
    calls.reset()
    start = datetime(2026, 12, 22, 6, tzinfo=UTC)
    events = [
        _event(n, DHL, status, start + timedelta(hours=n)) for n, status in enumerate(STATUSES)
    ]
    for event in events:
        _webhook(client, [event])
    _webhook(client, events[-1:])  # a duplicate delivery: what does a replay cost?
    return calls.per_event(len(events) + 1)


def _backlog_in_one_webhook(client: Any, calls: DynamoDBCalls) -> dict[str, Any]:
    calls.reset()
    start = datetime(2026, 12, 21, 20, tzinfo=UTC)
    events = [
        _event(n, BACKLOG_PARCEL, "in_transit", start + timedelta(minutes=15 * n))
        for n in range(BACKLOG - 1)
    ]
    events.append(_event(BACKLOG - 1, BACKLOG_PARCEL, "delivered", start + timedelta(days=1)))
    answer = _webhook(client, events)
    assert answer["accepted"] == BACKLOG, answer
    return calls.per_event(BACKLOG)


def measure() -> dict[str, Any]:
    in_process_environment(MERCHANT_KEY, WEBHOOK_SECRET, log_level="WARNING")
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
            for order_id, parcel in (("B1", DHL), ("B2", BACKLOG_PARCEL)):
                client.http.post("/v1/orders", headers=merchant, body=json.dumps(_order(order_id)))
                shipment = json.dumps(_shipment(parcel))
                client.http.post(
                    f"/v1/orders/{order_id}/shipments", headers=merchant, body=shipment
                )
            calls = DynamoDBCalls(deps.dynamodb())
            single = _one_per_webhook(client, calls)
            backlog = _backlog_in_one_webhook(client, calls)

    events = single["events"]
    requests = single["requests"]
    reads = requests.get("GetItem", 0) + requests.get("Query", 0)
    transactions = requests.get("TransactWriteItems", 0)
    batch = backlog["requests"]
    # One event per webhook at the top (benchmarks.monthly_cost prices an order's day of scans).
    return {
        **{k: v for k, v in single.items() if k != "requests"},
        f"backlog_{BACKLOG}_events_in_one_webhook": backlog,
        "meets_target": reads <= events
        and transactions <= events
        and sum(requests.values()) <= 2 * events
        and batch.get("GetItem", 0) == 1
        and batch.get("TransactWriteItems", 0) <= 2
        and set(batch) <= {"GetItem", "TransactWriteItems"},
    }


if __name__ == "__main__":
    print(measure())
