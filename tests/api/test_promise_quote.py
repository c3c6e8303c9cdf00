"""The quote API over the real HTTP path: contract, caching, bad input, and the token's use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote as urlquote

import pytest

from tests.api.factories import body_of, order_body, post

JSON = {"Content-Type": "application/json"}
CART = [{"sku": "TSHIRT-M", "quantity": 2}]


def quote(client: Any, **overrides: Any) -> Any:
    body = {
        "destination": {"country": "DE", "postal_code": "10115"},
        "items": CART,
        "at": "2026-12-23T16:30:00+01:00",
        "locale": "de-DE",
        **overrides,
    }
    return client.post("/v1/promise/quote", headers=JSON, body=json.dumps(body))


def present(client: Any, **overrides: Any) -> Any:
    """A quote of the present (no ``at``): the one kind a storefront orders with, as only it
    carries promise tokens."""
    body = {
        "destination": {"country": "DE", "postal_code": "10115"},
        "items": CART,
        "locale": "de-DE",
        **overrides,
    }
    return client.post("/v1/promise/quote", headers=JSON, body=json.dumps(body))


def placed_now(**overrides: Any) -> dict[str, Any]:
    """An order of the quoted cart, placed now, registered with a promise token."""
    items = [{"sku": "TSHIRT-M", "quantity": 2, "name": "T-Shirt M"}]
    fields = {"placed_at": datetime.now(UTC).isoformat(), "items": items, **overrides}
    return order_body(promise=None, **fields)


def option(body: dict[str, Any], method: str) -> dict[str, Any]:
    return next(o for o in body["options"] if o["method"] == method)


def test_worked_example_standard_before_cutoff(client: Any) -> None:
    response = quote(client)

    assert response.status_code == 200
    standard = option(body_of(response), "standard")
    assert standard["delivery"] == {"earliest": "2026-12-24", "latest": "2026-12-28"}
    assert standard["order_by"] == "2026-12-23T17:00:00+01:00"
    assert standard["price"] == {"amount": "0.00", "currency": "EUR"}  # 2 × 29.90 ≥ 50.00: free
    assert standard["ships_from"] == ["WH-LEIPZIG"]
    assert "promise_token" not in standard  # another instant than now: dates, no token
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_worked_examples_after_cutoff_and_next_day(client: Any) -> None:
    late = body_of(quote(client, at="2026-12-23T17:30:00+01:00"))
    early = body_of(quote(client))

    assert option(late, "standard")["delivery"] == {
        "earliest": "2026-12-29",
        "latest": "2026-12-30",
    }
    assert option(early, "next_day")["delivery"] == {
        "earliest": "2026-12-29",
        "latest": "2026-12-29",
    }


def test_standard_costs_4_90_below_the_free_shipping_threshold(client: Any) -> None:
    body = body_of(quote(client, items=[{"sku": "TSHIRT-M", "quantity": 1}]))

    assert option(body, "standard")["price"] == {"amount": "4.90", "currency": "EUR"}


def test_options_sorted_by_earliest_then_price(client: Any) -> None:
    options = body_of(quote(client))["options"]

    keys = [(o["delivery"]["earliest"], float(o["price"]["amount"])) for o in options]
    assert keys == sorted(keys)


def test_outside_every_zone_lists_every_method_as_unavailable(client: Any) -> None:
    body = body_of(quote(client, destination={"country": "FR", "postal_code": "75001"}))

    assert body["options"] == []
    assert {u["reason"] for u in body["unavailable"]} == {"destination_not_served"}
    assert {u["method"] for u in body["unavailable"]} >= {"standard", "next_day", "economy"}


def test_explain_adds_the_steps(client: Any) -> None:
    with_steps = option(body_of(quote(client, explain=True)), "standard")
    without = option(body_of(quote(client)), "standard")

    assert with_steps["explain"]
    assert "explain" not in without


def test_get_quote_is_cacheable_but_never_past_the_cutoff(client: Any) -> None:
    at = urlquote("2026-12-23T16:59:30+01:00")
    response = client.get(
        f"/v1/promise/quote?country=DE&postal_code=10115&sku=TSHIRT-M&quantity=1&at={at}"
    )

    assert response.status_code == 200
    assert option(body_of(response), "standard")["order_by"] == "2026-12-23T17:00:00+01:00"
    cache = response.headers["Cache-Control"]
    assert cache.startswith("public, max-age=")
    assert int(cache.rsplit("=", 1)[1]) <= 60


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"destination": None}, ["destination"]),
        (
            {"destination": {"country": "Germany", "postal_code": "10115"}},
            ["destination", "country"],
        ),
        ({"destination": {"country": "DE", "postal_code": "1011"}}, ["destination", "postal_code"]),
        (
            {"destination": {"country": "AT", "postal_code": "10115"}},
            ["destination", "postal_code"],
        ),
        ({"items": [{"sku": "TSHIRT-M", "quantity": 0}]}, ["items", 0, "quantity"]),
        ({"items": [{"sku": "TSHIRT-M", "quantity": 1000}]}, ["items", 0, "quantity"]),
        ({"items": [{"sku": f"S{i}", "quantity": 1} for i in range(101)]}, ["items"]),
        ({"at": "2026-12-23T16:30:00"}, ["at"]),
        ({"at": "tomorrow"}, ["at"]),
        ({"locale": "xx-XX"}, ["locale"]),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: Any, change: dict[str, Any], loc: list[Any]
) -> None:
    response = quote(client, **change)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert any(e["loc"][: len(loc)] == loc for e in body_of(response)["errors"])


def test_malformed_json_is_400(client: Any) -> None:
    response = client.post("/v1/promise/quote", headers=JSON, body=b'{"destination": ')

    assert response.status_code == 400
    assert body_of(response)["code"] == "malformed_json"


def test_get_quote_bad_query_is_422(client: Any) -> None:
    response = client.get("/v1/promise/quote?country=DE&postal_code=abc&sku=TSHIRT-M&quantity=1")

    assert response.status_code == 422
    assert body_of(response)["errors"][0]["loc"][0] == "postal_code"


def test_order_registered_with_the_quoted_token_keeps_the_quoted_window(client: Any) -> None:
    quoted = option(body_of(present(client)), "standard")
    body = placed_now(promise_token=quoted["promise_token"])

    response = post(client, "/v1/orders", body)

    assert response.status_code == 201, response.body
    order = body_of(client.get(f"/v1/orders/1001?token={body_of(response)['token']}"))
    assert order["promise"]["earliest"] == quoted["delivery"]["earliest"]
    assert order["promise"]["latest"] == quoted["delivery"]["latest"]


def test_an_order_takes_the_token_its_container_quoted_while_the_secret_rotates(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from chalicelib import deps

    # Given a container that has quoted, and a clock it reads
    clock = [1000.0]
    monkeypatch.setattr(deps, "_monotonic", lambda: clock[0])
    body = placed_now()
    present(client)

    # When Secrets Manager's token secret changes and the container's cache of it expires
    rotated = replace(deps.get_secrets(), token_secret="rotated-token-secret")
    monkeypatch.setattr(deps, "get_secrets", lambda: rotated)

    # Then a quote within the recheck interval still signs with the secret it had, and the
    # order route of the same container takes its token
    held = option(body_of(present(client)), "standard")["promise_token"]
    first = post(client, "/v1/orders", {**body, "order_id": "2001", "promise_token": held})
    assert first.status_code == 201, first.body

    # And after the recheck both sign and check with the new secret, the old token refused
    clock[0] += deps.QUOTE_SOURCES_RECHECK_SECONDS + 1
    fresh = option(body_of(present(client)), "standard")["promise_token"]
    second = post(client, "/v1/orders", {**body, "order_id": "2002", "promise_token": fresh})
    stale = post(client, "/v1/orders", {**body, "order_id": "2003", "promise_token": held})
    assert second.status_code == 201, second.body
    assert stale.status_code == 422


def test_token_for_another_cart_or_a_forged_token_is_422(client: Any) -> None:
    token = option(body_of(present(client)), "standard")["promise_token"]

    other_cart = post(client, "/v1/orders", order_body(promise=None, promise_token=token))
    forged = post(client, "/v1/orders", placed_now(promise_token=token[:-4] + "AAAA"))

    assert other_cart.status_code == forged.status_code == 422
    assert body_of(other_cart)["errors"][0]["loc"] == ["promise_token"]
    assert body_of(forged)["errors"] == [
        {"loc": ["promise_token"], "msg": "token signature does not match"}
    ]


@pytest.mark.parametrize("explain", [False, True])
def test_the_answer_is_exactly_the_documented_quote_response(client: Any, explain: bool) -> None:
    # The route serialises plain values for speed; the contract is the pydantic model.
    from chalicelib.models.promise import QuoteResponse

    answer = body_of(quote(client, explain=explain))

    documented = QuoteResponse.model_validate(answer).model_dump(mode="json", exclude_none=True)
    assert answer == documented
    assert len(answer["options"]) >= 3 and answer["unavailable"]


def test_the_quote_service_is_reused_until_the_token_secret_changes(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import deps, settings
    from chalicelib.services.promise import verify_promise_token

    # Given the container's quote service
    first = deps.quote_service()
    assert deps.quote_service() is first

    # When the token secret changes (a rotated secret)
    monkeypatch.setenv("PK_TOKEN_SECRET", "rotated-token-secret")
    settings.reset_caches()

    # Then the next quote signs with the new secret
    token = body_of(present(client))["options"][0]["promise_token"]
    assert deps.quote_service() is not first
    assert deps.quote_service().token_secret == "rotated-token-secret"
    now = datetime.now(UTC)
    assert verify_promise_token(token, token_secret="rotated-token-secret", now=now).method
