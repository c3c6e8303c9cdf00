"""Hostile and odd input over the real HTTP path: a clear 4xx problem, never a 500, and nothing
stored. Each case here once reached a 500 or a wrong state."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from chalicelib.domain.customer_tokens import first_format_token
from tests.api.factories import MERCHANT, body_of, current_order_body, post, shipment_body
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

SECRET = TEST_ENV["PK_WEBHOOK_SECRET"]
DHL = "00340434161094042557"
DEEP = b'{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
Signer = Callable[[bytes], dict[str, str]]
SIGNERS: dict[str, Signer] = {
    "generic": lambda b: senders.generic_headers(b, SECRET, datetime.now(UTC)),
    "easypost": lambda b: senders.easypost_headers(b, SECRET),
    "aftership": lambda b: senders.aftership_headers(b, SECRET),
    "shippo": lambda b: senders.shippo_headers(b, SECRET, datetime.now(UTC)),
    "17track": lambda b: senders.seventeen_track_headers(b, SECRET),
}


def stored_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        boto3.resource("dynamodb").Table(TEST_ENV["PK_TABLE_NAME"]).scan()["Items"]
    )
    return items


def problem_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = body_of(response)
    assert body["code"] == code
    return body


def given_an_order(client: Any, order_id: str = "1001") -> dict[str, Any]:
    body = current_order_body(datetime.now(UTC), order_id)
    assert post(client, "/v1/orders", body).status_code == 201
    return body


def webhook(client: Any, source: str, body: bytes) -> Any:
    headers = {"Content-Type": "application/json", **SIGNERS[source](body)}
    return client.post(f"/v1/webhooks/{source}", headers=headers, body=body)


def event(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "event_id": "evt-1",
        "carrier": "dhl",
        "tracking_number": DHL,
        "status": "in_transit",
        "occurred_at": (now - timedelta(hours=1)).isoformat(),
        **overrides,
    }


def events_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"events": list(events)}).encode()


# -- section 2: inputs that reached a 500 or a wrong state ----------------------------------------
@pytest.mark.parametrize("token", ["ä", "€" * 43, "tök\u00e9n", "\U0001f4e6"])
def test_a_customer_token_with_non_ascii_characters_is_403(client: Any, token: str) -> None:
    given_an_order(client)

    response = client.get(f"/v1/orders/1001?token={quote(token)}")

    problem_of(response, 403, "forbidden")


JSON_ENDPOINTS = [
    "/v1/promise/quote",
    "/v1/orders",
    "/v1/orders/1001/shipments",
    *(f"/v1/webhooks/{source}" for source in sorted(SIGNERS)),
]


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_deeply_nested_json_is_400_malformed_json_on_every_json_endpoint(
    client: Any, path: str
) -> None:
    given_an_order(client)
    before = stored_items()

    source = path.removeprefix("/v1/webhooks/")
    response = webhook(client, source, DEEP) if source != path else post(client, path, DEEP)

    problem_of(response, 400, "malformed_json")
    assert stored_items() == before


@pytest.mark.parametrize("source", sorted(SIGNERS))
@pytest.mark.parametrize("raw", [b"{not json", b'{"events": [', b"\xff\xfe"])
def test_a_signed_webhook_that_is_not_json_is_400_malformed_json(
    client: Any, source: str, raw: bytes
) -> None:
    response = webhook(client, source, raw)

    problem_of(response, 400, "malformed_json")


def test_a_second_shipment_with_a_tracking_number_already_on_the_order_is_409(
    client: Any,
) -> None:
    given_an_order(client)
    first = shipment_body("S1", items=[{"sku": "TSHIRT-M", "quantity": 1}])
    assert post(client, "/v1/orders/1001/shipments", first).status_code == 201
    before = stored_items()

    second = shipment_body("S2", items=[{"sku": "MUG-BLUE", "quantity": 1}])
    response = post(client, "/v1/orders/1001/shipments", second)

    assert "S1" in problem_of(response, 409, "conflict")["detail"]
    assert stored_items() == before


def test_two_lines_of_one_sku_cannot_ship_more_than_was_ordered(client: Any) -> None:
    given_an_order(client)  # 2 × TSHIRT-M
    before = stored_items()

    lines = [{"sku": "TSHIRT-M", "quantity": 2}, {"sku": "TSHIRT-M", "quantity": 2}]
    response = post(client, "/v1/orders/1001/shipments", shipment_body(items=lines))

    body = problem_of(response, 422, "validation_error")
    assert body["errors"] == [
        {"loc": ["items", 1, "quantity"], "msg": "Only 2 of TSHIRT-M left to ship"}
    ]
    assert stored_items() == before


def test_over_shipping_is_counted_per_sku_across_shipments(client: Any) -> None:
    given_an_order(client)
    one = shipment_body("S1", items=[{"sku": "TSHIRT-M", "quantity": 1}])
    assert post(client, "/v1/orders/1001/shipments", one).status_code == 201

    lines = [{"sku": "TSHIRT-M", "quantity": 1}, {"sku": "TSHIRT-M", "quantity": 1}]
    two = shipment_body("S2", tracking_number="JJD000390007777", items=lines)
    response = post(client, "/v1/orders/1001/shipments", two)

    problem_of(response, 422, "validation_error")


def _order_with(**change: Any) -> dict[str, Any]:
    body = current_order_body(datetime.now(UTC))
    for key, value in change.items():
        if key in ("earliest", "latest"):
            body["promise"] = {**body["promise"], key: value}
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"placed_at": "0001-01-01T00:00:00+05:00"}, ["placed_at"]),
        ({"placed_at": "0001-01-01T00:00:00Z"}, ["placed_at"]),
        ({"placed_at": "9999-12-31T23:59:59-05:00"}, ["placed_at"]),
        ({"placed_at": "2200-01-01T00:00:00Z"}, ["placed_at"]),
        ({"latest": "9999-12-31"}, ["promise", "latest"]),
        ({"earliest": "0001-01-01"}, ["promise", "earliest"]),
    ],
    ids=["year-1-east", "year-1", "year-9999-west", "year-2200", "latest-9999", "earliest-1"],
)
def test_order_dates_near_the_ends_of_the_calendar_are_422(
    client: Any, change: dict[str, Any], loc: list[str]
) -> None:
    response = post(client, "/v1/orders", _order_with(**change))

    body = problem_of(response, 422, "validation_error")
    assert loc in [e["loc"] for e in body["errors"]]
    assert stored_items() == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"occurred_at": "9999-12-31T23:59:59-05:00"}, "in_future"),
        ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "before_order"),
        ({"occurred_at": "2200-01-01T00:00:00Z"}, "in_future"),
        ({"estimated_delivery": "9999-12-31"}, "estimate_out_of_range"),
        ({"estimated_delivery": "0001-01-01"}, "estimate_out_of_range"),
    ],
)
def test_carrier_event_dates_near_the_ends_of_the_calendar_are_skipped_not_refused(
    client: Any, change: dict[str, Any], reason: str
) -> None:
    # A refused webhook is retried, and in the end the sender switches the endpoint off: the
    # event is counted as skipped, the rest of the webhook applied.
    given_an_order(client)
    assert post(client, "/v1/orders/1001/shipments", shipment_body()).status_code == 201
    before = stored_items()

    response = webhook(client, "generic", events_body(event(**change), event(event_id="evt-2")))

    assert response.status_code == 200, response.body
    assert body_of(response)["skipped"] == {reason: 1}
    assert body_of(response)["accepted"] == 1
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert [e["event_id"] for e in order["shipments"][0]["events"]] == ["evt-2"]
    written = sorted(i["SK"] for i in stored_items() if i not in before)
    carrier_items = [sk for sk in written if sk.startswith(("EVENT#", "SEEN#"))]
    assert carrier_items == ["EVENT#S1#evt-2", "SEEN#S1#evt-2"]  # nothing of evt-1


def test_a_scan_dated_2200_does_not_pull_a_delivered_parcel_back_in_transit(client: Any) -> None:
    given_an_order(client)
    assert post(client, "/v1/orders/1001/shipments", shipment_body()).status_code == 201
    delivered = event(event_id="evt-delivered", status="delivered")
    assert webhook(client, "generic", events_body(delivered)).status_code == 200

    late = event(event_id="evt-2200", occurred_at="2200-01-01T00:00:00+00:00")
    response = webhook(client, "generic", events_body(late))

    assert response.status_code == 200
    assert body_of(response)["skipped"] == {"in_future": 1}
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert order["status"] == "delivered"
    assert [e["event_id"] for e in order["shipments"][0]["events"]] == ["evt-delivered"]


# -- section 3: validation that is strict where the contract is ----------------------------------
QUOTE = {"destination": {"country": "DE", "postal_code": "10115"}, "items": [{"sku": "TSHIRT-M"}]}


def _quote_with(item: dict[str, Any] | None = None, **change: Any) -> dict[str, Any]:
    return {**QUOTE, "items": [{"sku": "TSHIRT-M", "quantity": 1, **(item or {})}], **change}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (_quote_with({"quantity": True}), ["items", 0, "quantity"]),
        (_quote_with({"quantity": "2"}), ["items", 0, "quantity"]),
        (_quote_with({"quantity": 2.5}), ["items", 0, "quantity"]),
        (_quote_with(explain="yes"), ["explain"]),
        (_quote_with(explain=0), ["explain"]),
        (_quote_with(at=0), ["at"]),
        (_quote_with(at=1_766_500_000), ["at"]),
        (_quote_with(inventory={"TSHIRT-M": {"WH-LEIPZIG": True}}), ["inventory"]),
    ],
    ids=[
        "true-quantity", "text-quantity", "fraction-quantity", "yes-bool", "zero-bool",
        "zero-instant", "unix-instant", "true-stock",
    ],
)  # fmt: skip
def test_json_types_are_not_coerced_in_a_quote(
    client: Any, body: dict[str, Any], loc: list[Any]
) -> None:
    response = client.post(
        "/v1/promise/quote",
        headers={"Content-Type": "application/json"},
        body=json.dumps(body),
    )

    errors = problem_of(response, 422, "validation_error")["errors"]
    assert any(e["loc"][: len(loc)] == loc for e in errors), errors


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"earliest": 0}, ["promise", "earliest"]),
        ({"placed_at": 0}, ["placed_at"]),
        ({"items": [{"sku": "TSHIRT-M", "quantity": True}]}, ["items", 0, "quantity"]),
    ],
)
def test_json_types_are_not_coerced_in_an_order(
    client: Any, change: dict[str, Any], loc: list[Any]
) -> None:
    response = post(client, "/v1/orders", _order_with(**change))

    errors = problem_of(response, 422, "validation_error")["errors"]
    assert loc in [e["loc"] for e in errors]
    assert stored_items() == []


@pytest.mark.parametrize(
    "change",
    [{"occurred_at": 1_766_500_000}, {"estimated_delivery": 0}, {"status": True}],
)
def test_json_types_are_not_coerced_in_the_generic_webhook(
    client: Any, change: dict[str, Any]
) -> None:
    given_an_order(client)
    assert post(client, "/v1/orders/1001/shipments", shipment_body()).status_code == 201
    before = stored_items()

    response = webhook(client, "generic", events_body(event(**change)))

    problem_of(response, 422, "validation_error")
    assert stored_items() == before


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("quantity=1_0", "quantity"),
        ("quantity=%2B5", "quantity"),
        ("quantity=%D9%A1", "quantity"),  # ARABIC-INDIC DIGIT ONE
        ("quantity=%EF%BC%91", "quantity"),  # FULLWIDTH DIGIT ONE
        ("explain=yes", "explain"),
        ("explain=1", "explain"),
        ("postal_code=%D9%A1%D9%A0%D9%A1%D9%A1%D9%A5", "postal_code"),
    ],
)
def test_query_values_are_read_without_lax_conversions(client: Any, query: str, param: str) -> None:
    params = {"country": "DE", "postal_code": "10115", "sku": "TSHIRT-M"}
    base = "&".join(f"{k}={v}" for k, v in params.items() if k != param)

    response = client.get(f"/v1/promise/quote?{base}&{query}")

    errors = problem_of(response, 422, "validation_error")["errors"]
    assert [e["loc"] for e in errors] == [[param]]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("destination", "postal_code"), "١٠١١٥"),  # Arabic-Indic digits
        (("destination", "postal_code"), "１０１１５"),  # fullwidth digits
        (("customer", "phone"), "+４９15112345678"),
        (("order_id",), "١٠٠١"),
    ],
)
def test_digits_are_ascii_digits(client: Any, path: tuple[str, ...], value: str) -> None:
    body = current_order_body(datetime.now(UTC))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    response = post(client, "/v1/orders", body)

    errors = problem_of(response, 422, "validation_error")["errors"]
    assert list(path) in [e["loc"] for e in errors]
    assert stored_items() == []


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "localtime", "posixrules", "Europe"])
def test_an_unknown_time_zone_is_422_not_replaced(client: Any, zone: str) -> None:
    body = current_order_body(datetime.now(UTC), time_zone=zone)

    response = post(client, "/v1/orders", body)

    errors = problem_of(response, 422, "validation_error")["errors"]
    assert ["customer", "time_zone"] in [e["loc"] for e in errors]
    assert stored_items() == []


def test_a_real_iana_zone_is_kept(client: Any) -> None:
    body = current_order_body(datetime.now(UTC), time_zone="America/Argentina/Buenos_Aires")

    assert post(client, "/v1/orders", body).status_code == 201


def test_the_inventory_of_one_sku_names_at_most_50_locations(client: Any) -> None:
    stock = {f"WH-{n}": 1 for n in range(51)}
    body = _quote_with(inventory={"TSHIRT-M": stock})

    response = client.post(
        "/v1/promise/quote", headers={"Content-Type": "application/json"}, body=json.dumps(body)
    )

    errors = problem_of(response, 422, "validation_error")["errors"]
    assert [e["loc"] for e in errors] == [["inventory", "TSHIRT-M"]]


def test_unknown_query_parameters_on_a_customer_link_are_ignored(client: Any) -> None:
    given_an_order(client)
    token = first_format_token(TEST_ENV["PK_TOKEN_SECRET"], "1001")

    response = client.get(
        f"/v1/orders/1001?token={token}&utm_source=newsletter&utm_medium=email&utm_campaign=x"
    )

    assert response.status_code == 200
    assert body_of(response)["order_id"] == "1001"


def test_a_return_step_names_at_most_100_item_conditions(client: Any) -> None:
    conditions = [{"sku": "TSHIRT-M", "condition": "as_new"}] * 101
    body = {"status": "received", "conditions": conditions}

    response = post(client, "/v1/returns/R1A2B3C4D5E6F/events", body)

    errors = problem_of(response, 422, "validation_error")["errors"]
    assert ["conditions"] in [e["loc"] for e in errors]
