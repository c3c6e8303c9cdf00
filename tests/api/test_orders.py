"""Orders and shipments over the real HTTP path, stored in (in-process) DynamoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
import pytest

from chalicelib.domain.customer_tokens import CustomerTokens
from chalicelib.domain.token_keys import TokenKeys
from chalicelib.models.orders import RegisterOrderRequest
from chalicelib.services.orders import body_hash
from tests.api.factories import MERCHANT, body_of, order_body, post, shipment_body
from tests.conftest import TEST_ENV

TOKEN_SECRET = TEST_ENV["PK_TOKEN_SECRET"]


def stored_items(table: str) -> list[dict[str, Any]]:
    return boto3.resource("dynamodb").Table(table).scan()["Items"]


def test_register_order_answers_201_with_customer_token(client: Any) -> None:
    response = post(client, "/v1/orders", order_body())

    assert response.status_code == 201
    body = body_of(response)
    assert body["order_id"] == "1001"
    assert body["status"] == "confirmed"
    placed_at = datetime.fromisoformat(order_body()["placed_at"])
    assert body["token"] == CustomerTokens(TokenKeys(TOKEN_SECRET)).issue("1001", 1, placed_at)
    assert body["tracking_url"] == (
        f"https://track.shop.example/v1/pages/orders/1001?token={body['token']}"
    )


def test_same_body_again_is_200_with_the_same_answer(client: Any, aws: dict[str, Any]) -> None:
    first = post(client, "/v1/orders", order_body())
    second = post(client, "/v1/orders", order_body())

    assert second.status_code == 200
    assert body_of(second) == body_of(first)
    outbox = [i for i in stored_items(aws["table"]) if i["PK"].startswith("OUTBOX#")]
    assert len(outbox) == 1  # one order_confirmed, not two


def test_other_body_under_the_same_id_is_409_and_changes_nothing(
    client: Any, aws: dict[str, Any]
) -> None:
    post(client, "/v1/orders", order_body())
    before = stored_items(aws["table"])

    response = post(client, "/v1/orders", order_body(placed_at="2026-12-21T11:00:00+01:00"))

    assert response.status_code == 409
    assert body_of(response)["code"] == "conflict"
    assert stored_items(aws["table"]) == before


# What an order registered before order lines could carry exchange_skus was stored with.
HASH_BEFORE_EXCHANGE_SKUS = "3ab589fa8ec3e241bba3e81933228e25f83e2ad4a434f0a16d4a88a3c69c072b"


def test_an_order_registered_before_lines_had_exchange_skus_replays_as_the_same_body() -> None:
    request = RegisterOrderRequest.model_validate(order_body())

    assert body_hash(request) == HASH_BEFORE_EXCHANGE_SKUS


def test_registration_requires_the_merchant_key(client: Any, aws: dict[str, Any]) -> None:
    response = post(
        client, "/v1/orders", order_body(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 401
    assert stored_items(aws["table"]) == []


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"order_id": "10 01"}, ["order_id"]),
        ({"order_id": "x" * 65}, ["order_id"]),
        ({"items": []}, ["items"]),
        ({"placed_at": "2026-12-21T10:15:00"}, ["placed_at"]),
        ({"destination": {"country": "DE", "postal_code": "1011"}}, ["destination", "postal_code"]),
        ({"promise": None}, []),
    ],
)
def test_invalid_order_is_422_and_stores_nothing(
    client: Any, aws: dict[str, Any], change: dict[str, Any], loc: list[str]
) -> None:
    response = post(client, "/v1/orders", order_body(**change))

    assert response.status_code == 422
    errors = body_of(response)["errors"]
    assert any(e["loc"][: len(loc)] == loc for e in errors)
    assert stored_items(aws["table"]) == []


def test_customer_reads_own_order_with_token(client: Any) -> None:
    token = body_of(post(client, "/v1/orders", order_body()))["token"]

    response = client.get(f"/v1/orders/1001?token={token}")

    assert response.status_code == 200
    body = body_of(response)
    assert body["status"] == "confirmed"
    assert body["promise"] == {
        "method": "standard",
        "earliest": "2026-12-22",
        "latest": "2026-12-23",
        "state": "on_track",
    }
    assert body["shipments"] == []
    assert response.headers["Cache-Control"] == "private, no-store"


def test_token_of_another_order_is_403_whether_or_not_the_order_exists(client: Any) -> None:
    post(client, "/v1/orders", order_body("1001"))
    other_token = body_of(post(client, "/v1/orders", order_body("1002")))["token"]

    existing = client.get(f"/v1/orders/1001?token={other_token}")
    missing = client.get(f"/v1/orders/9999?token={other_token}")

    assert existing.status_code == missing.status_code == 403
    assert body_of(existing)["detail"] == body_of(missing)["detail"]


def test_no_credential_is_401(client: Any) -> None:
    post(client, "/v1/orders", order_body())

    assert client.get("/v1/orders/1001").status_code == 401


def test_merchant_reads_any_order_and_unknown_is_404(client: Any) -> None:
    post(client, "/v1/orders", order_body())

    assert client.get("/v1/orders/1001", headers=MERCHANT).status_code == 200
    missing = client.get("/v1/orders/nope", headers=MERCHANT)
    assert missing.status_code == 404
    assert body_of(missing)["code"] == "not_found"


def test_bad_order_id_in_path_is_422(client: Any) -> None:
    response = client.get("/v1/orders/bad$id", headers=MERCHANT)

    assert response.status_code == 422
    assert body_of(response)["errors"][0]["loc"] == ["order_id"]


def test_split_order_has_several_shipments(client: Any) -> None:
    post(client, "/v1/orders", order_body())
    first = post(
        client,
        "/v1/orders/1001/shipments",
        shipment_body("S1", items=[{"sku": "TSHIRT-M", "quantity": 2}]),
    )
    second = post(
        client,
        "/v1/orders/1001/shipments",
        shipment_body(
            "S2", tracking_number="JJD000390007777", items=[{"sku": "MUG-BLUE", "quantity": 1}]
        ),
    )

    assert first.status_code == second.status_code == 201
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert [s["shipment_id"] for s in order["shipments"]] == ["S1", "S2"]
    assert order["shipments"][0]["items"] == [
        {"sku": "TSHIRT-M", "quantity": 2, "name": "T-Shirt M"}
    ]
    # Before the first scan: the status the schema requires, and no events.
    assert order["shipments"][0]["status"] == "info_received"
    assert order["shipments"][0]["events"] == []


def test_shipment_again_is_200_other_body_409(client: Any) -> None:
    post(client, "/v1/orders", order_body())
    post(client, "/v1/orders/1001/shipments", shipment_body())

    again = post(client, "/v1/orders/1001/shipments", shipment_body())
    other = post(client, "/v1/orders/1001/shipments", shipment_body(carrier="ups"))

    assert again.status_code == 200
    assert other.status_code == 409


def test_shipment_for_unknown_order_is_404(client: Any) -> None:
    response = post(client, "/v1/orders/nope/shipments", shipment_body())

    assert response.status_code == 404


def test_more_than_ordered_is_422(client: Any) -> None:
    post(client, "/v1/orders", order_body())

    response = post(
        client,
        "/v1/orders/1001/shipments",
        shipment_body(items=[{"sku": "TSHIRT-M", "quantity": 3}]),
    )

    assert response.status_code == 422
    assert body_of(response)["errors"][0]["loc"] == ["items", 0, "quantity"]


def test_a_tracking_number_belongs_to_one_order(client: Any) -> None:
    post(client, "/v1/orders", order_body("1001"))
    post(client, "/v1/orders", order_body("1002"))
    post(client, "/v1/orders/1001/shipments", shipment_body())

    response = post(client, "/v1/orders/1002/shipments", shipment_body())

    assert response.status_code == 409
    order = body_of(client.get("/v1/orders/1002", headers=MERCHANT))
    assert order["shipments"] == []
