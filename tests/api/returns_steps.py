"""Given-steps for return tests: an order delivered at a chosen moment, signed carrier events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.api.factories import MERCHANT, body_of, order_body, post, shipment_body
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

OUTBOUND = "00340434161094042557"
RETURN_PARCEL = "RET0000000042"


def tracking_for(order_id: str) -> str:
    """Each order's outbound parcel has its own number (the first one the README tour's)."""
    return OUTBOUND if order_id == "1001" else f"JJD{order_id}0001"


def carrier_event(
    event_id: str, status: str, at: datetime, tracking_number: str = OUTBOUND
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "carrier": "dhl",
        "tracking_number": tracking_number,
        "status": status,
        "occurred_at": at.isoformat(),
        "location": "Leipzig",
    }


def post_events(client: Any, *events: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps({"events": list(events)}).encode()
    headers = senders.generic_headers(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC))
    response = client.post(
        "/v1/webhooks/generic", headers={"Content-Type": "application/json", **headers}, body=body
    )
    assert response.status_code == 200, response.body
    answer: dict[str, Any] = body_of(response)
    return answer


def given_order(client: Any, order_id: str = "1001", **overrides: Any) -> str:
    """A registered order with one shipment; answers the customer's token."""
    created = post(client, "/v1/orders", order_body(order_id, **overrides))
    assert created.status_code == 201, created.body
    items = [{"sku": i["sku"], "quantity": i["quantity"]} for i in created_items(overrides)]
    shipment = shipment_body(items=items, tracking_number=tracking_for(order_id))
    assert post(client, f"/v1/orders/{order_id}/shipments", shipment).status_code == 201
    token: str = body_of(created)["token"]
    return token


def created_items(overrides: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = order_body(**overrides)["items"]
    return items


def given_delivered_order(
    client: Any, days_ago: float = 2, order_id: str = "1001", **overrides: Any
) -> str:
    token = given_order(client, order_id, **overrides)
    arrived = datetime.now(UTC) - timedelta(days=days_ago)
    post_events(
        client, carrier_event(f"{order_id}-d", "delivered", arrived, tracking_for(order_id))
    )
    return token


def a_return_request(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": [{"sku": "TSHIRT-M", "quantity": 1, "reason": "too_small"}],
        "resolution": "refund",
    }
    body.update(overrides)
    return body


def request_return(
    client: Any,
    body: dict[str, Any] | None = None,
    order_id: str = "1001",
    headers: dict[str, str] | None = None,
) -> Any:
    return post(client, f"/v1/orders/{order_id}/returns", body or a_return_request(), headers)


def step(client: Any, return_id: str, body: dict[str, Any]) -> Any:
    return post(client, f"/v1/returns/{return_id}/events", body)


def read_return(client: Any, return_id: str, query: str = "") -> Any:
    headers = {} if query else MERCHANT
    return client.get(f"/v1/returns/{return_id}{query}", headers=headers)


RETURN_LABEL = {"carrier": "dhl", "tracking_number": RETURN_PARCEL, "qr_code": "DHL-QR-1234"}
LABEL = {"status": "label_created", "label": RETURN_LABEL}
