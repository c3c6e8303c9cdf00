"""Hostile input as a fuzzer sends it: over HTTP to the local server on the embedded AWS.
Each answer is a problem with a 4xx status, and the stack goes on serving afterwards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from chalicelib.domain.customer_tokens import first_format_token
from tests.api.factories import MERCHANT, current_order_body, shipment_body
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

pytestmark = pytest.mark.integration
DHL = "00340434161094042557"
DEEP = b'{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"


def problem(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def post(api: str, path: str, body: Any) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(f"{api}{path}", data=data, headers=MERCHANT, timeout=30)


def signed_webhook(api: str, body: bytes) -> requests.Response:
    headers = senders.generic_headers(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC))
    return requests.post(
        f"{api}/v1/webhooks/generic",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def register(api: str, order_id: str) -> None:
    post(api, "/v1/orders", current_order_body(datetime.now(UTC), order_id)).raise_for_status()


def test_hostile_bodies_are_4xx_problems_and_the_stack_serves_on(api: str) -> None:
    register(api, "1001")
    token = first_format_token(TEST_ENV["PK_TOKEN_SECRET"], "1001")

    problem(post(api, "/v1/orders", DEEP), 400, "malformed_json")
    problem(signed_webhook(api, DEEP), 400, "malformed_json")
    problem(signed_webhook(api, b"{not json"), 400, "malformed_json")
    problem(requests.get(f"{api}/v1/orders/1001?token=%C3%A4", timeout=30), 403, "forbidden")
    quantity = requests.get(
        f"{api}/v1/promise/quote?country=DE&postal_code=10115&sku=TSHIRT-M&quantity=1_0",
        timeout=30,
    )
    problem(quantity, 422, "validation_error")

    # Then the same stack still answers legitimate requests, customer links with utm_* included
    register(api, "1002")
    link = requests.get(f"{api}/v1/orders/1001?token={token}&utm_source=newsletter", timeout=30)
    assert link.status_code == 200 and link.json()["order_id"] == "1001"


def test_a_reused_tracking_number_and_a_far_future_scan_change_nothing(api: str) -> None:
    register(api, "1001")
    one = shipment_body("S1", items=[{"sku": "TSHIRT-M", "quantity": 1}])
    assert post(api, "/v1/orders/1001/shipments", one).status_code == 201

    two = shipment_body("S2", items=[{"sku": "MUG-BLUE", "quantity": 1}])
    problem(post(api, "/v1/orders/1001/shipments", two), 409, "conflict")
    scan = {
        "event_id": "evt-2200", "carrier": "dhl", "tracking_number": DHL,
        "status": "in_transit", "occurred_at": "2200-01-01T00:00:00+00:00",
    }  # fmt: skip
    skipped = signed_webhook(api, json.dumps({"events": [scan]}).encode())
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["skipped"] == {"in_future": 1}

    order = requests.get(f"{api}/v1/orders/1001", headers=MERCHANT, timeout=30).json()
    assert [s["shipment_id"] for s in order["shipments"]] == ["S1"]
    assert order["shipments"][0]["events"] == []
    assert order["shipments"][0]["status"] == "info_received"
    recent = dict(scan, event_id="evt-now")
    recent["occurred_at"] = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    assert signed_webhook(api, json.dumps({"events": [recent]}).encode()).json()["accepted"] == 1
