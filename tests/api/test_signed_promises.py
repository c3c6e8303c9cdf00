"""A signed promise is one the shop can keep, over the real HTTP path.

Quotes sign promise tokens only for the present; an order refuses a token whose cut-off had
passed when it was placed; one kind of token never passes for another; customer tokens name
their key, end a year after the order, can be replaced by the merchant, and outlive a rotated
secret for the overlap (docs/api.md, "Tokens and keys").
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
    html_of,
    order_body,
    post,
    shipment_body,
    token,
)
from tests.conftest import TEST_ENV

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


def test_a_promise_token_made_of_a_current_customer_token_is_422(client: Any) -> None:
    # The same made-up header over the text a current customer token's signature covers
    issued = registered(client)["token"]
    kid, generation, expires, mac = issued.split(".")
    fake = f"{b64(f'1001:{kid}.{generation}.{expires}'.encode())}.{mac}"

    response = post(client, "/v1/orders", order_body("2001", promise=None, promise_token=fake))

    problem(response, 422, "validation_error")


# -- customer tokens name their key and end ------------------------------------------------------
def test_a_customer_token_names_its_key_and_ends_a_year_after_the_order(client: Any) -> None:
    placed_at = datetime.now(UTC) - timedelta(days=1)

    answer = registered(client, placed_at=placed_at.isoformat())

    kid, generation, expires, mac = answer["token"].split(".")
    assert kid and mac and generation == "1"
    assert int(expires) == int((placed_at + YEAR).timestamp())
    assert answer["tracking_url"].endswith(f"?token={answer['token']}")
    assert read(client, answer["token"]).status_code == 200


def test_a_customer_token_past_its_lifetime_is_403(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a shop whose links last one day, and an order placed two days ago
    use_settings(monkeypatch, PK_CUSTOMER_TOKEN_TTL_DAYS="1")
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    issued = registered(client, placed_at=two_days_ago)["token"]

    # Then neither its token nor a link in the first format opens it any more
    assert "expired" in problem(read(client, issued), 403, "forbidden")["detail"]
    assert "expired" in problem(read(client, token("1001")), 403, "forbidden")["detail"]
    assert client.get("/v1/orders/1001", headers=MERCHANT).status_code == 200


def test_links_in_the_first_format_keep_working_for_the_order_lifetime(client: Any) -> None:
    # Given an order whose customer was e-mailed a link before tokens had key ids
    registered(client)

    # Then that link still opens its order, its pages, and no other order
    assert read(client, token("1001")).status_code == 200
    assert client.get(f"/v1/pages/orders/1001?token={token('1001')}").status_code == 200
    registered(client, "1002")
    problem(read(client, token("1001"), "1002"), 403, "forbidden")


# -- the merchant replaces a customer token ------------------------------------------------------
def test_a_replaced_customer_token_stops_working_and_the_new_one_opens_the_order(
    client: Any,
) -> None:
    # Given an order, its first token and a link in the first format
    first = registered(client)["token"]

    # When the merchant asks for a new token
    response = reissue(client)

    # Then the new one opens the order, in the JSON API and on the pages, and neither old one does
    assert response.status_code == 201, response.body
    answer = body_of(response)
    new = answer["token"]
    assert new != first and new.split(".")[1] == "2"
    assert answer["order_id"] == "1001"
    assert answer["tracking_url"].endswith(f"/v1/pages/orders/1001?token={urlquote(new, safe='')}")
    assert datetime.fromisoformat(answer["expires_at"]) > datetime.now(UTC) + YEAR / 2
    assert read(client, new).status_code == 200
    for old in (first, token("1001")):
        assert "replaced" in problem(read(client, old), 403, "forbidden")["detail"]
        page = client.get(f"/v1/pages/orders/1001?token={urlquote(old, safe='')}")
        assert page.status_code == 403 and "<html" in html_of(page)
        rating = {"order_id": "1001", "token": old, "rating": 9}
        problem(post(client, "/v1/feedback", rating, JSON), 403, "forbidden")


def test_every_answer_after_the_replacement_carries_the_new_token(client: Any) -> None:
    body = current_order_body(datetime.now(UTC))
    post(client, "/v1/orders", body)
    new = body_of(reissue(client))["token"]

    again = body_of(post(client, "/v1/orders", body))
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))

    assert again["token"] == new
    assert order["tracking_url"].endswith(f"?token={urlquote(new, safe='')}")


def test_replacing_twice_leaves_only_the_newest_token(client: Any) -> None:
    registered(client)
    second = body_of(reissue(client))["token"]
    third = body_of(reissue(client))["token"]

    problem(read(client, second), 403, "forbidden")
    assert read(client, third).status_code == 200
    assert third.split(".")[1] == "3"


def test_replacing_a_token_leaves_the_order_as_it_was(client: Any) -> None:
    registered(client)
    parcel = shipment_body()
    assert post(client, "/v1/orders/1001/shipments", parcel).status_code == 201
    before = body_of(client.get("/v1/orders/1001", headers=MERCHANT))

    reissue(client)

    after = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert {**after, "tracking_url": None} == {**before, "tracking_url": None}
    assert post(client, "/v1/orders/1001/shipments", parcel).status_code == 200  # a repeat


def test_replacing_the_token_of_an_unknown_order_is_404(client: Any) -> None:
    problem(reissue(client, "9999"), 404, "not_found")


def test_replacing_a_token_needs_the_merchant_key(client: Any) -> None:
    first = registered(client)["token"]

    response = reissue(client, Authorization=f"Bearer {first}")

    assert response.status_code == 401
    assert read(client, first).status_code == 200


# -- a rotated secret -----------------------------------------------------------------------------
def rotate(monkeypatch: pytest.MonkeyPatch, rotated_at: datetime, **variables: str) -> None:
    """The token secret replaced by a new one; the old one kept as the previous secret."""
    use_settings(
        monkeypatch,
        PK_TOKEN_SECRET="rotated-token-secret",
        PK_PREVIOUS_TOKEN_SECRET=TEST_ENV["PK_TOKEN_SECRET"],
        PK_TOKEN_SECRET_ROTATED_AT=rotated_at.isoformat(),
        **variables,
    )


def test_links_signed_before_a_rotation_keep_working_for_the_overlap(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given links e-mailed before the secret was rotated, and a promise token quoted before
    issued = registered(client)["token"]
    quoted = standard(quote(client))

    # When the secret is rotated (the previous one kept for the default overlap of a year)
    rotate(monkeypatch, datetime.now(UTC) - timedelta(days=30))

    # Then the old links still open the order, and the quoted promise still registers
    assert read(client, issued).status_code == 200
    assert read(client, token("1001")).status_code == 200
    assert post(client, "/v1/orders", with_token(quoted, "2001")).status_code == 201
    # And new tokens are signed with the new key
    fresh = registered(client, "1002")["token"]
    assert fresh.split(".")[0] != issued.split(".")[0]
    assert read(client, fresh, "1002").status_code == 200


def test_after_the_overlap_links_of_the_previous_secret_stop_working(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = registered(client)["token"]

    rotate(monkeypatch, datetime.now(UTC) - timedelta(days=8), PK_TOKEN_ROTATION_OVERLAP_DAYS="7")

    problem(read(client, issued), 403, "forbidden")
    problem(read(client, token("1001")), 403, "forbidden")


def test_a_secret_replaced_without_keeping_the_previous_one_ends_every_link(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A leaked secret is replaced outright: nothing it signed opens an order any more.
    issued = registered(client)["token"]

    use_settings(monkeypatch, PK_TOKEN_SECRET="rotated-token-secret")

    problem(read(client, issued), 403, "forbidden")
    problem(read(client, token("1001")), 403, "forbidden")
