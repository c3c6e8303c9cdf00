"""A signed promise is one the shop can keep, over the real HTTP path.

Quotes sign promise tokens only for the present; an order refuses a token whose cut-off had
passed when it was placed; one kind of token never passes for another (docs/api.md, "Tokens
and keys").
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote as urlquote

import pytest

from chalicelib import settings
from tests.api.factories import (
    MERCHANT,
    body_of,
    current_order_body,
    order_body,
    post,
    token,
)

JSON = {"Content-Type": "application/json"}
CART = [{"sku": "TSHIRT-M", "quantity": 2}]
ITEMS = [{"sku": "TSHIRT-M", "quantity": 2, "name": "T-Shirt M"}]
# The documented bounds (docs/api.md): a quote is signed within 5 minutes of the server's clock,
# and an order may be placed up to 15 minutes after its token's order_by.
SIGNED_WITHIN = timedelta(minutes=5)
GRACE = timedelta(minutes=15)
YEAR = timedelta(days=365)


def quote(client: Any, **overrides: Any) -> Any:
    body = {"destination": {"country": "DE", "postal_code": "10115"}, "items": CART, **overrides}
    return client.post("/v1/promise/quote", headers=JSON, body=json.dumps(body))


def standard(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.body
    return next(o for o in body_of(answer)["options"] if o["method"] == "standard")


def with_token(option: dict[str, Any], order_id: str = "1001", **overrides: Any) -> dict[str, Any]:
    """An order for the quoted cart, placed now, registered with the option's token."""
    fields = {"placed_at": datetime.now(UTC).isoformat(), **overrides}
    return order_body(
        order_id, promise=None, promise_token=option["promise_token"], items=ITEMS, **fields
    )


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    found: dict[str, Any] = body_of(response)
    assert found["code"] == code
    return found


def registered(client: Any, order_id: str = "1001", **overrides: Any) -> dict[str, Any]:
    """An order placed yesterday (its promise given by the merchant): its registration answer."""
    body = {**current_order_body(datetime.now(UTC), order_id), **overrides}
    response = post(client, "/v1/orders", body)
    assert response.status_code == 201, response.body
    answer: dict[str, Any] = body_of(response)
    return answer


def read(client: Any, customer_token: str, order_id: str = "1001") -> Any:
    return client.get(f"/v1/orders/{order_id}?token={urlquote(customer_token, safe='')}")


def reissue(client: Any, order_id: str = "1001", **headers: str) -> Any:
    return client.post(f"/v1/orders/{order_id}/token", headers=headers or MERCHANT, body=b"")


def use_settings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings.reset_caches()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# -- the quote signs only for the present ---------------------------------------------------------
def test_a_quote_for_another_instant_answers_without_tokens_and_says_why(client: Any) -> None:
    # Given a storefront asking, late in the evening, for the morning's promise
    at = datetime.now(UTC) - timedelta(hours=15)

    # When it quotes for that instant
    answer = body_of(quote(client, at=at.isoformat()))

    # Then the dates answer, but no option carries a token, and the answer says why
    assert answer["options"]
    assert all("promise_token" not in option for option in answer["options"])
    assert answer["tokens_withheld"]["reason"] == "quoted_for_another_instant"
    assert "5 minutes" in answer["tokens_withheld"]["detail"]


def test_a_product_page_quote_for_another_instant_is_unsigned_too(client: Any) -> None:
    at = urlquote((datetime.now(UTC) + timedelta(days=2)).isoformat())

    response = client.get(f"/v1/promise/quote?country=DE&postal_code=10115&sku=TSHIRT-M&at={at}")

    answer = body_of(response)
    assert response.status_code == 200
    assert answer["options"] and all("promise_token" not in o for o in answer["options"])
    assert answer["tokens_withheld"]["reason"] == "quoted_for_another_instant"


@pytest.mark.parametrize("offset", [timedelta(0), -SIGNED_WITHIN + timedelta(seconds=30)])
def test_a_quote_for_the_present_is_signed(client: Any, offset: timedelta) -> None:
    answer = body_of(quote(client, at=(datetime.now(UTC) + offset).isoformat()))

    assert answer["options"] and all(o["promise_token"] for o in answer["options"])
    assert "tokens_withheld" not in answer


# -- the order keeps the quote's cut-off ----------------------------------------------------------
def test_a_token_whose_cutoff_passed_before_the_order_beyond_the_grace_is_422(
    client: Any, aws: dict[str, Any]
) -> None:
    # Given a token quoted now, and an order placed after its order_by and the grace
    option = standard(quote(client))
    late = datetime.fromisoformat(option["order_by"]) + GRACE + timedelta(minutes=1)

    # When the order is registered with it
    response = post(client, "/v1/orders", with_token(option, placed_at=late.isoformat()))

    # Then it is refused, naming the token, and nothing is stored
    refused = problem(response, 422, "validation_error")
    assert [e["loc"] for e in refused["errors"]] == [["promise_token"]]
    assert "order_by" in refused["errors"][0]["msg"]
    assert client.get("/v1/orders/1001", headers=MERCHANT).status_code == 404


def test_an_order_placed_within_the_grace_after_the_cutoff_keeps_the_promise(client: Any) -> None:
    option = standard(quote(client))
    paid = datetime.fromisoformat(option["order_by"]) + GRACE - timedelta(minutes=1)

    response = post(client, "/v1/orders", with_token(option, placed_at=paid.isoformat()))

    assert response.status_code == 201, response.body
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert order["promise"]["earliest"] == option["delivery"]["earliest"]
    assert order["promise"]["latest"] == option["delivery"]["latest"]


# -- one kind of token never passes for another ---------------------------------------------------
def test_a_promise_token_made_of_a_customer_token_is_422_not_500(client: Any) -> None:
    # Given an order and its customer token as links carried it before key ids (an HMAC of
    # "order:<id>"), behind a made-up header that is the text it signs
    registered(client)
    fake = f"{b64(b'order:1001')}.{token('1001')}"

    # When it is sent as a promise token
    response = post(client, "/v1/orders", order_body("2001", promise=None, promise_token=fake))

    # Then it is a validation error naming the token, not a server error
    refused = problem(response, 422, "validation_error")
    assert [e["loc"] for e in refused["errors"]] == [["promise_token"]]
