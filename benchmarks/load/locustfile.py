"""A storefront's traffic for `make load` (benchmarks/storefront_load.py runs Locust with it
against a local stack on the loopback address; it is not meant for any other host).

Mostly quotes (GET from product pages, POST from the cart), some orders with their shipment,
carrier webhooks for those parcels in any order and often twice, merchant reads of the order and
customers on the tracking page, and, once a parcel has arrived, a return or a rating. What was
accepted is written to the ledger file (LOAD_LEDGER) for the outcome checks.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from locust import HttpUser, between, events, task

MERCHANT_KEY = os.environ.get("PK_MERCHANT_API_KEY", "dev-merchant-key")
WEBHOOK_SECRET = os.environ.get("PK_WEBHOOK_SECRET", "dev-webhook-secret")
MERCHANT = {"Authorization": f"Bearer {MERCHANT_KEY}", "Content-Type": "application/json"}
JSON = {"Content-Type": "application/json"}
RUN = os.environ.get("LOAD_RUN_ID", f"LD{int(time.time()) % 100000}")
SCANS = [
    ("info_received", 40),
    ("in_transit", 30),
    ("in_transit", 20),
    ("out_for_delivery", 6),
    ("delivered", 2),
]
CART = {
    "destination": {"country": "DE", "postal_code": "10115"},
    "items": [{"sku": "TSHIRT-M", "quantity": 2}, {"sku": "MUG-LOGO", "quantity": 1}],
}

_lock = threading.Lock()
ORDERS: dict[str, dict[str, Any]] = {}  # order id → its parcel, token, events accepted, …
SERVER_ERRORS: list[str] = []


_numbers = itertools.count(1)


def _next_order_id() -> str:
    with _lock:  # unique across users: a repeated id would be a (correct) 409
        return f"{RUN}-{next(_numbers):05d}"


def _daytime_zone(now: datetime) -> str:
    return f"Etc/GMT{-((13 - now.hour + 12) % 24 - 12):+d}"


class Storefront(HttpUser):
    wait_time = between(0.2, 1.0)

    @task(10)
    def quote_from_a_product_page(self) -> None:
        postal = random.choice(["10115", "20095", "80331", "50667"])
        self.client.get(
            f"/v1/promise/quote?country=DE&postal_code={postal}&sku=TSHIRT-M&quantity=1",
            name="GET /v1/promise/quote",
        )

    @task(4)
    def quote_from_the_cart(self) -> None:
        self.client.post("/v1/promise/quote", json=CART, name="POST /v1/promise/quote")

    @task(2)
    def place_an_order(self) -> None:
        now = datetime.now(UTC)
        order_id = _next_order_id()
        today = now.date()
        body = {
            "order_id": order_id,
            "placed_at": (now - timedelta(days=2)).isoformat(),
            "customer": {
                "name": "Anna Schmidt",
                "email": "anna@example.com",
                "locale": "de-DE",
                "time_zone": _daytime_zone(now),
            },
            "destination": {"country": "DE", "postal_code": "10115", "city": "Berlin"},
            "items": [{"sku": "TSHIRT-M", "quantity": 1, "name": "T-Shirt M"}],
            "promise": {
                "method": "standard",
                "earliest": today.isoformat(),
                "latest": (today + timedelta(days=2)).isoformat(),
            },
        }
        answer = self.client.post("/v1/orders", json=body, headers=MERCHANT, name="POST /v1/orders")
        if answer.status_code != 201:
            return
        parcel = "L" + hashlib.sha256(order_id.encode()).hexdigest()[:18].upper()
        shipment = {
            "shipment_id": "S1",
            "carrier": "dhl",
            "tracking_number": parcel,
            "items": [{"sku": "TSHIRT-M", "quantity": 1}],
        }
        shipped = self.client.post(
            f"/v1/orders/{order_id}/shipments",
            json=shipment,
            headers=MERCHANT,
            name="POST /v1/orders/[id]/shipments",
        )
        if shipped.status_code == 201:
            with _lock:
                ORDERS[order_id] = {
                    "parcel": parcel,
                    "token": answer.json()["token"],
                    "events": [],
                    "returned": False,
                    "rated": False,
                }

    @task(5)
    def carrier_webhook(self) -> None:
        """A scan of a parcel, in any order, often sent again (aggregators retry)."""
        with _lock:
            if not ORDERS:
                return
            order_id = random.choice(list(ORDERS))
            order = ORDERS[order_id]
        step = random.randrange(len(SCANS))
        status, hours_ago = SCANS[step]
        at = datetime.now(UTC) - timedelta(hours=hours_ago)
        event = {
            "event_id": f"{order_id}-e{step}",
            "carrier": "dhl",
            "tracking_number": order["parcel"],
            "status": status,
            "occurred_at": at.replace(minute=0, second=0, microsecond=0).isoformat(),
            "location": "Leipzig",
        }
        raw = json.dumps({"events": [event]}).encode()
        t = str(int(time.time()))
        mac = hmac.new(WEBHOOK_SECRET.encode(), t.encode() + b"." + raw, hashlib.sha256)
        answer = self.client.post(
            "/v1/webhooks/generic",
            data=raw,
            name="POST /v1/webhooks/generic",
            headers={**JSON, "X-Signature": f"t={t},v1={mac.hexdigest()}"},
        )
        if answer.status_code == 200:
            with _lock:
                if event["event_id"] not in order["events"]:
                    order["events"].append(event["event_id"])

    @task(2)
    def merchant_reads_the_order(self) -> None:
        order_id = self._some_order()
        if order_id:
            self.client.get(f"/v1/orders/{order_id}", headers=MERCHANT, name="GET /v1/orders/[id]")

    @task(2)
    def customer_opens_the_tracking_page(self) -> None:
        order_id = self._some_order()
        if order_id:
            token = ORDERS[order_id]["token"]
            self.client.get(
                f"/v1/pages/orders/{order_id}?token={token}", name="GET /v1/pages/orders/[id]"
            )

    @task(1)
    def return_or_rate_a_delivered_order(self) -> None:
        with _lock:
            delivered = [o for o, v in ORDERS.items() if f"{o}-e4" in v["events"]]
            if not delivered:
                return
            order_id = random.choice(delivered)
            order = ORDERS[order_id]
            action = "rated" if order["returned"] or random.random() < 0.5 else "returned"
            if order[action]:
                return
            order[action] = True
        if action == "returned":
            body = {
                "items": [{"sku": "TSHIRT-M", "quantity": 1, "reason": "too_small"}],
                "resolution": "refund",
            }
            self.client.post(
                f"/v1/orders/{order_id}/returns",
                json=body,
                headers=MERCHANT,
                name="POST /v1/orders/[id]/returns",
            )
        else:
            rating = {"order_id": order_id, "token": order["token"], "rating": 9}
            self.client.post("/v1/feedback", json=rating, name="POST /v1/feedback")

    def _some_order(self) -> str | None:
        with _lock:
            return random.choice(list(ORDERS)) if ORDERS else None


@events.request.add_listener
def _server_errors(name: str, response: Any = None, **_: Any) -> None:
    if response is not None and response.status_code >= 500:
        SERVER_ERRORS.append(f"{name} {response.status_code}")


@events.quitting.add_listener
def _write_ledger(**_: Any) -> None:
    ledger = os.environ.get("LOAD_LEDGER")
    if ledger:
        with open(ledger, "w") as out:
            json.dump({"orders": ORDERS, "server_errors": SERVER_ERRORS}, out)
