"""Three rules of returns over the real HTTP path: a token learns nothing about returns of other
orders, an exchange names only a SKU the merchant offers for the item, and a refund once
recorded is not silently replaced by another amount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.api.factories import current_order_body, shipment_body
from tests.integration.conftest import post_carrier_events
from tests.integration.test_returns_end_to_end import (
    a_request,
    call,
    given_order,
    parcel_event,
    return_items,
    tracking_for,
)

pytestmark = pytest.mark.integration
UNKNOWN_RETURN = "R0123456789AB"


def customer_reads(api: str, path: str) -> requests.Response:
    return requests.get(f"{api}{path}", timeout=30)


@pytest.mark.parametrize("path", ["/v1/returns/{return_id}", "/v1/pages/returns/{return_id}"])
def test_a_token_of_another_order_learns_nothing_about_which_returns_exist(
    api: str, path: str
) -> None:
    given_order(api, "1001")
    other_token = given_order(api, "2002")
    known = call(api, "POST", "/v1/orders/1001/returns", a_request()).json()["return_id"]

    of_another_order = customer_reads(api, path.format(return_id=known) + f"?token={other_token}")
    unknown = customer_reads(api, path.format(return_id=UNKNOWN_RETURN) + f"?token={other_token}")

    assert of_another_order.status_code == unknown.status_code == 403
    assert of_another_order.headers["Content-Type"] == unknown.headers["Content-Type"]
    if path.startswith("/v1/returns"):
        first, second = of_another_order.json(), unknown.json()
        assert (first["code"], first["detail"]) == (second["code"], second["detail"])
    else:
        assert of_another_order.text == unknown.text


@pytest.mark.parametrize("path", ["/v1/returns/{return_id}", "/v1/pages/returns/{return_id}"])
def test_the_orders_own_token_reads_its_return_and_the_merchant_learns_what_is_unknown(
    api: str, path: str
) -> None:
    token = given_order(api, "1001")
    known = call(api, "POST", "/v1/orders/1001/returns", a_request()).json()["return_id"]

    assert customer_reads(api, path.format(return_id=known) + f"?token={token}").status_code == 200
    assert call(api, "GET", f"/v1/returns/{UNKNOWN_RETURN}").status_code == 404


def given_order_with_exchanges(api: str) -> None:
    """Two T-shirts M that may be exchanged for an S or an L, and a mug that may not be
    exchanged for another SKU; placed yesterday, delivered this morning."""
    now = datetime.now(UTC)
    body = current_order_body(now)
    body["items"] = [
        {"sku": "TSHIRT-M", "quantity": 2, "name": "T-Shirt M",
         "exchange_skus": ["TSHIRT-S", "TSHIRT-L"]},
        {"sku": "MUG-BLUE", "quantity": 1, "name": "Becher blau"},
    ]  # fmt: skip
    assert call(api, "POST", "/v1/orders", body).status_code == 201
    assert call(api, "POST", "/v1/orders", body).status_code == 200  # the same body again
    shipment = shipment_body(tracking_number=tracking_for("1001"))
    assert call(api, "POST", "/v1/orders/1001/shipments", shipment).status_code == 201
    post_carrier_events(api, parcel_event("1001-d", "delivered", now - timedelta(hours=6), "1001"))


def an_exchange(sku: str, wanted: str) -> dict[str, Any]:
    return {**a_request(sku=sku), "resolution": "exchange", "exchange_sku": wanted}


@pytest.mark.parametrize(
    ("sku", "wanted"),
    [("TSHIRT-M", "LUXURY-WATCH-9000"), ("TSHIRT-M", "TSHIRT-M"), ("MUG-BLUE", "MUG-RED")],
)
def test_an_exchange_for_a_sku_the_merchant_does_not_offer_is_refused_and_stores_nothing(
    api: str, sku: str, wanted: str
) -> None:
    given_order_with_exchanges(api)

    response = call(api, "POST", "/v1/orders/1001/returns", an_exchange(sku, wanted))

    assert (response.status_code, response.json()["code"]) == (409, "return_not_allowed")
    assert [e["loc"] for e in response.json()["errors"]] == [["exchange_sku"]]
    assert return_items() == []


@pytest.mark.parametrize(("sku", "wanted"), [("TSHIRT-M", "TSHIRT-L"), ("MUG-BLUE", "MUG-BLUE")])
def test_an_exchange_for_an_offered_sku_or_the_same_one_is_opened(
    api: str, sku: str, wanted: str
) -> None:
    given_order_with_exchanges(api)

    response = call(api, "POST", "/v1/orders/1001/returns", an_exchange(sku, wanted))

    assert response.status_code == 201, response.text
    assert response.json()["exchange_sku"] == wanted


def test_the_order_shows_what_each_line_may_be_exchanged_for(api: str) -> None:
    given_order_with_exchanges(api)

    items = call(api, "GET", "/v1/orders/1001").json()["items"]

    assert [(i["sku"], i.get("exchange_skus")) for i in items] == [
        ("TSHIRT-M", ["TSHIRT-S", "TSHIRT-L"]),
        ("MUG-BLUE", None),
    ]


def received_return(api: str) -> str:
    given_order(api)
    return_id: str = call(api, "POST", "/v1/orders/1001/returns", a_request()).json()["return_id"]
    for step in ({"status": "approved"}, {"status": "received"}):
        assert call(api, "POST", f"/v1/returns/{return_id}/events", step).status_code == 200
    return return_id


SETTLED = [
    (
        {"status": "refunded", "refund": {"amount": "19.90", "currency": "EUR"}},
        {"status": "refunded", "refund": {"amount": "199.00", "currency": "EUR"}},
        "refund",
    ),
    (
        {"status": "exchanged", "exchange_order_id": "1001-X"},
        {"status": "exchanged", "exchange_order_id": "1001-Y"},
        "exchange_order_id",
    ),
]


@pytest.mark.parametrize(("first", "other", "field"), SETTLED)
def test_a_settled_return_settled_again_on_other_terms_is_a_conflict(
    api: str, first: dict[str, Any], other: dict[str, Any], field: str
) -> None:
    return_id = received_return(api)
    events = f"/v1/returns/{return_id}/events"
    assert call(api, "POST", events, first).status_code == 200

    again = call(api, "POST", events, first)
    conflicting = call(api, "POST", events, other)

    assert again.status_code == 200  # the same step retried: harmless
    assert (conflicting.status_code, conflicting.json()["code"]) == (409, "conflict")
    stored = call(api, "GET", f"/v1/returns/{return_id}").json()
    assert stored[field] == first[field]
    assert [h["status"] for h in stored["history"]].count(first["status"]) == 1


def test_the_same_refund_in_other_digits_is_the_same_refund(api: str) -> None:
    return_id = received_return(api)
    events = f"/v1/returns/{return_id}/events"
    refund = {"status": "refunded", "refund": {"amount": "19.90", "currency": "EUR"}}
    assert call(api, "POST", events, refund).status_code == 200

    again = call(api, "POST", events, {**refund, "refund": {"amount": "19.9", "currency": "EUR"}})

    assert again.status_code == 200, again.text
