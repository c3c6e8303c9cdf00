"""Returns over the real HTTP path (Chalice's local server on the embedded AWS, the event pump):
the whole lifecycle through the merchant API and the return parcel's webhooks, every refusal,
and concurrent requests that together ask for more than remains."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from devstack.environment import REGION
from devstack.mailbox import sent_emails
from devstack.pump import EventPump
from tests.api.factories import MERCHANT, current_order_body, shipment_body
from tests.conftest import TEST_ENV
from tests.integration.conftest import post_carrier_events

pytestmark = pytest.mark.integration
RETURN_PARCEL = "RET0000000042"
JSON = {"Content-Type": "application/json"}


def tracking_for(order_id: str) -> str:
    return f"JJD{order_id}0001"


def call(api: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
    data = None if body is None else json.dumps(body)
    return requests.request(
        method, f"{api}{path}", data=data, headers={**MERCHANT, **headers}, timeout=60
    )


def given_order(api: str, order_id: str = "1001", delivered_days_ago: float | None = 2) -> str:
    """An order of two T-shirts and a mug in one parcel, delivered when asked; its token."""
    now = datetime.now(UTC)
    body = current_order_body(now, order_id)
    # Placed before it was delivered: a delivery dated before its order changes nothing.
    body["placed_at"] = (now - timedelta(days=(delivered_days_ago or 0) + 1)).isoformat()
    created = call(api, "POST", "/v1/orders", body)
    assert created.status_code == 201, created.text
    shipment = shipment_body(tracking_number=tracking_for(order_id))
    assert call(api, "POST", f"/v1/orders/{order_id}/shipments", shipment).status_code == 201
    if delivered_days_ago is not None:
        arrived = now - timedelta(days=delivered_days_ago)
        post_carrier_events(api, parcel_event(f"{order_id}-d", "delivered", arrived, order_id))
    token: str = created.json()["token"]
    return token


def parcel_event(
    event_id: str, status: str, at: datetime, order_id: str | None = None
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "carrier": "dhl",
        "tracking_number": tracking_for(order_id) if order_id else RETURN_PARCEL,
        "status": status,
        "occurred_at": at.isoformat(),
        "location": "Leipzig",
    }


def a_request(
    sku: str = "TSHIRT-M", quantity: int = 1, reason: str = "too_small"
) -> dict[str, Any]:
    return {"items": [{"sku": sku, "quantity": quantity, "reason": reason}], "resolution": "refund"}


def return_items() -> list[dict[str, Any]]:
    """Every item a return writes (return, ledger, idempotency key, return tracking)."""
    table = boto3.resource("dynamodb").Table(TEST_ENV["PK_TABLE_NAME"])
    items = table.scan()["Items"]
    return [
        i
        for i in items
        if str(i["PK"]).startswith(("RETURN#", "IDEMPOTENCY#")) or i["SK"] in ("RETURNS", "RETURN")
    ]


def test_a_return_from_request_to_refund_keeps_the_customer_informed_in_german(
    api: str, pump: EventPump
) -> None:
    token = given_order(api)
    customer = {"Authorization": "", **JSON}

    # The customer asks (token in the body); a retry with the same key opens nothing new.
    body = {**a_request(quantity=2), "token": token}
    first = call(
        api, "POST", "/v1/orders/1001/returns", body, **customer, **{"Idempotency-Key": "k1"}
    )
    again = call(
        api, "POST", "/v1/orders/1001/returns", body, **customer, **{"Idempotency-Key": "k1"}
    )
    assert (first.status_code, again.status_code) == (201, 200), first.text
    return_id = first.json()["return_id"]
    assert again.json()["return_id"] == return_id

    # The merchant approves and creates a label with a QR code for drop-off.
    assert call(api, "POST", f"/v1/returns/{return_id}/events", {"status": "approved"}).ok
    label = {"carrier": "dhl", "tracking_number": RETURN_PARCEL, "qr_code": "DHL-QR-77"}
    labelled = call(
        api, "POST", f"/v1/returns/{return_id}/events", {"status": "label_created", "label": label}
    )
    assert labelled.json()["label"] == label

    # The return parcel's scans arrive through the same webhook, twice and out of order.
    now = datetime.now(UTC)
    moving = parcel_event("r-1", "in_transit", now - timedelta(hours=5))
    arrived = parcel_event("r-2", "delivered", now - timedelta(hours=1))
    answers = [post_carrier_events(api, e) for e in (arrived, moving, arrived, moving)]
    assert [(a["accepted"], a["duplicates"]) for a in answers] == [(1, 0), (1, 0), (0, 1), (0, 1)]
    assert all(a["unknown_tracking_numbers"] == [] for a in answers)
    assert call(api, "GET", f"/v1/returns/{return_id}").json()["status"] == "received"

    refund = {"status": "refunded", "refund": {"amount": "39.80", "currency": "EUR"}}
    assert call(api, "POST", f"/v1/returns/{return_id}/events", refund).ok
    pump.drain()
    pump.rewind_streams()  # Lambda may hand every record again: nothing goes out twice
    pump.drain()

    subjects = [m.subject for m in sent_emails(REGION)]
    assert subjects.count("Deine Rücksendung zu Bestellung 1001 ist angekommen") == 1
    assert subjects.count("Deine Erstattung zu Bestellung 1001 ist veranlasst") == 1
    assert subjects[-2:] == [
        "Deine Rücksendung zu Bestellung 1001 ist angekommen",
        "Deine Erstattung zu Bestellung 1001 ist veranlasst",
    ]
    seen = requests.get(f"{api}/v1/returns/{return_id}?token={token}", timeout=30).json()
    assert [(h["status"], h["source"]) for h in seen["history"]] == [
        ("requested", "request"),
        ("approved", "merchant"),
        ("label_created", "merchant"),
        ("received", "carrier"),
    ] + [("refunded", "merchant")]
    order = call(api, "GET", "/v1/orders/1001").json()
    assert [(r["return_id"], r["status"]) for r in order["returns"]] == [(return_id, "refunded")]
    assert {("return_received", "email"), ("refund_issued", "email")} <= {
        (n["type"], n["channel"]) for n in order["notifications"]
    }
    today = now.date().isoformat()
    summary = call(api, "GET", f"/v1/returns/summary?from={today}&to={today}").json()
    assert summary == {
        "count": 1,
        "orders": 1,
        "rate": 1.0,
        "reasons": [{"reason": "too_small", "items": 2}],
        "refunded": 1,
        "median_days_to_refund": 0.0,
    }


REFUSALS = [
    # (order delivered days ago or None, request body, status, code)
    (None, a_request(), 409, "return_not_allowed"),  # not delivered
    (31, a_request(), 409, "return_not_allowed"),  # after the 30-day window
    (2, a_request(sku="HAT-RED"), 409, "return_not_allowed"),  # not in the order
    (2, a_request(quantity=3), 409, "return_not_allowed"),  # more than remains
    (2, a_request(reason="bored"), 422, "validation_error"),  # unknown reason
]


@pytest.mark.parametrize(("delivered", "body", "status", "code"), REFUSALS)
def test_every_refused_request_gets_its_problem_and_stores_nothing(
    api: str, delivered: float | None, body: dict[str, Any], status: int, code: str
) -> None:
    given_order(api, delivered_days_ago=delivered)

    response = call(api, "POST", "/v1/orders/1001/returns", body)

    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert return_items() == []


def test_the_same_key_with_another_body_is_409_and_stores_nothing_more(api: str) -> None:
    given_order(api)
    key = {"Idempotency-Key": "k1"}
    assert call(api, "POST", "/v1/orders/1001/returns", a_request(), **key).status_code == 201
    before = return_items()

    other = call(api, "POST", "/v1/orders/1001/returns", a_request(reason="damaged"), **key)

    assert (other.status_code, other.json()["code"]) == (409, "conflict")
    assert return_items() == before


def test_an_illegal_step_is_409_and_changes_nothing(api: str) -> None:
    given_order(api)
    return_id = call(api, "POST", "/v1/orders/1001/returns", a_request()).json()["return_id"]

    refund = {"status": "refunded", "refund": {"amount": "19.90", "currency": "EUR"}}
    response = call(api, "POST", f"/v1/returns/{return_id}/events", refund)

    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    assert call(api, "GET", f"/v1/returns/{return_id}").json()["status"] == "requested"


def test_of_two_concurrent_requests_that_together_ask_too_much_exactly_one_passes(
    api: str,
) -> None:
    orders = [f"20{n}" for n in range(4)]
    for order_id in orders:
        given_order(api, order_id)
    start = threading.Barrier(2 * len(orders))

    def ask(order_id: str) -> tuple[int, str | None]:
        start.wait(timeout=30)  # every request leaves at the same moment
        path = f"/v1/orders/{order_id}/returns"
        response = call(api, "POST", path, a_request(quantity=2))
        return response.status_code, response.json().get("code")

    with ThreadPoolExecutor(max_workers=2 * len(orders)) as pool:
        statuses = list(pool.map(ask, [o for o in orders for _ in range(2)]))

    pairs = [sorted(statuses[n : n + 2], key=str) for n in range(0, len(statuses), 2)]
    assert pairs == [[(201, None), (409, "return_not_allowed")]] * len(orders)
    for order_id in orders:
        (returned,) = call(api, "GET", f"/v1/orders/{order_id}").json()["returns"]
        assert returned["items"][0]["quantity"] == 2
