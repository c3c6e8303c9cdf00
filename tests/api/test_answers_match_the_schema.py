"""Every answer holds to the schema the served OpenAPI document gives it (required fields
included), and the document states the patterns, enums and limits the server enforces."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.api.factories import MERCHANT, body_of, current_order_body, post, shipment_body
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

DHL = "00340434161094042557"


def document(client: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(client.get("/v1/openapi.json").body)
    return doc


def assert_matches_schema(doc: dict[str, Any], path: str, method: str, response: Any) -> None:
    status = str(response.status_code)
    content = doc["paths"][path][method]["responses"][status]["content"]
    schema = {**content["application/json"]["schema"], "components": doc["components"]}
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in Draft202012Validator(schema).iter_errors(body_of(response))
    ]
    assert errors == []


def component(doc: dict[str, Any], name: str) -> dict[str, Any]:
    schemas: dict[str, Any] = doc["components"]["schemas"]
    return schemas.get(name) or schemas[f"{name}-Input"]


def test_order_answers_hold_to_their_schemas_before_and_after_the_first_scan(
    client: Any,
) -> None:
    doc = document(client)
    registered = post(client, "/v1/orders", current_order_body(datetime.now(UTC)))
    shipped = post(client, "/v1/orders/1001/shipments", shipment_body())
    before_scan = client.get("/v1/orders/1001", headers=MERCHANT)

    assert_matches_schema(doc, "/v1/orders", "post", registered)
    assert_matches_schema(doc, "/v1/orders/{order_id}/shipments", "post", shipped)
    # A shipment without scans once had no status, though its schema requires one.
    assert_matches_schema(doc, "/v1/orders/{order_id}", "get", before_scan)

    scan = {
        "event_id": "evt-1", "carrier": "dhl", "tracking_number": DHL, "status": "in_transit",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "estimated_delivery": (datetime.now(UTC) + timedelta(days=2)).date().isoformat(),
    }  # fmt: skip
    body = json.dumps({"events": [scan]}).encode()
    headers = senders.generic_headers(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC))
    accepted = client.post(
        "/v1/webhooks/generic", headers={"Content-Type": "application/json", **headers}, body=body
    )
    after_scan = client.get("/v1/orders/1001", headers=MERCHANT)

    assert_matches_schema(doc, "/v1/webhooks/{source}", "post", accepted)
    assert_matches_schema(doc, "/v1/orders/{order_id}", "get", after_scan)


@pytest.mark.parametrize("explain", [False, True])
def test_quote_answers_hold_to_their_schema(client: Any, explain: bool) -> None:
    doc = document(client)
    body = {
        "destination": {"country": "DE", "postal_code": "10115"},
        "items": [{"sku": "TSHIRT-M", "quantity": 1}],
        "explain": explain,
    }
    posted = client.post(
        "/v1/promise/quote", headers={"Content-Type": "application/json"}, body=json.dumps(body)
    )
    got = client.get(
        f"/v1/promise/quote?country=AT&postal_code=1010&sku=TSHIRT-M&explain={str(explain).lower()}"
    )

    assert_matches_schema(doc, "/v1/promise/quote", "post", posted)
    assert_matches_schema(doc, "/v1/promise/quote", "get", got)


def test_the_document_states_the_patterns_enums_and_limits_the_server_enforces(
    client: Any,
) -> None:
    doc = document(client)
    customer = component(doc, "Customer")["properties"]
    destination = component(doc, "OrderDestination")["properties"]
    promise = component(doc, "ExplicitPromise")["properties"]
    quote = component(doc, "QuoteRequest")["properties"]
    query = {p["name"]: p for p in doc["paths"]["/v1/promise/quote"]["get"]["parameters"]}

    assert "[0-9]" in customer["phone"]["anyOf"][0]["pattern"]
    assert customer["time_zone"]["anyOf"][0]["pattern"]
    assert "IANA" in customer["time_zone"]["description"]
    assert destination["postal_code"]["pattern"] == "^[A-Za-z0-9]{3,10}$"
    assert "years before" in promise["latest"]["description"]
    stock = quote["inventory"]["anyOf"][0]
    assert stock["maxProperties"] == 100
    (per_sku,) = stock["patternProperties"].values()
    assert per_sku["maxProperties"] == 50
    assert stock["additionalProperties"] is False and per_sku["additionalProperties"] is False
    shapes = {
        rule["if"]["properties"]["country"]["const"]: rule["then"]["properties"]["postal_code"]
        for rule in component(doc, "OrderDestination")["allOf"]
    }
    assert shapes == {"DE": {"pattern": "^[0-9]{5}$"}, "AT": {"pattern": "^[0-9]{4}$"}}
    assert query["postal_code"]["schema"]["pattern"] == "^[A-Za-z0-9]{3,10}$"
    assert query["quantity"]["schema"]["maximum"] == 999
    assert query["locale"]["schema"]["enum"]


def test_the_document_states_the_path_parameters_the_server_enforces(client: Any) -> None:
    paths = document(client)["paths"]

    def path_parameter(path: str, method: str, name: str) -> dict[str, Any]:
        params = paths[path][method]["parameters"]
        schema: dict[str, Any] = next(p for p in params if p["name"] == name)["schema"]
        return schema

    order_id = path_parameter("/v1/orders/{order_id}", "get", "order_id")
    source = path_parameter("/v1/webhooks/{source}", "post", "source")
    assert order_id["pattern"] == "^[A-Za-z0-9._-]{1,64}$"
    assert path_parameter("/v1/orders/{order_id}/shipments", "post", "order_id") == order_id
    assert path_parameter("/v1/orders/{order_id}/returns", "post", "order_id") == order_id
    assert set(source["enum"]) == {"generic", "easypost", "aftership", "shippo", "17track"}
    return_id = path_parameter("/v1/returns/{return_id}", "get", "return_id")
    assert return_id["pattern"] == "^R[0-9A-F]{12}$"
    assert path_parameter("/v1/returns/{return_id}/events", "post", "return_id") == return_id


def test_the_document_states_that_a_rating_names_each_tag_once(client: Any) -> None:
    tags = component(document(client), "FeedbackRequest")["properties"]["tags"]

    assert tags["uniqueItems"] is True


def test_the_document_states_that_a_return_for_another_reason_needs_a_note(client: Any) -> None:
    item = component(document(client), "ReturnItemRequest")
    bare = {"sku": "TSHIRT-M", "quantity": 1, "reason": "other"}

    validator = Draft202012Validator({**item, "components": document(client)["components"]})
    assert not validator.is_valid(bare)
    assert validator.is_valid({**bare, "note": "the colour"})
    assert validator.is_valid({**bare, "reason": "too_small"})


@pytest.mark.parametrize(
    "path", ["/v1/feedback/summary", "/v1/returns/summary", "/v1/feedback/products"]
)
def test_reports_of_an_empty_period_hold_to_their_schemas(client: Any, path: str) -> None:
    # Without ratings or orders a mean, score or rate is null, and its schema requires it: the
    # answer states it rather than leaving it out.
    answer = client.get(f"{path}?from=2026-12-24&to=2026-12-24", headers=MERCHANT)

    assert answer.status_code == 200
    assert_matches_schema(document(client), path, "get", answer)


LABEL = {"carrier": "dhl", "tracking_number": "RET123456", "label_url": "https://l.example/1"}
REFUND = {"amount": "4.90", "currency": "EUR"}
SHAPES: list[tuple[str, dict[str, Any]]] = [
    ("ReturnRequest", {"resolution": "refund"}),
    ("ReturnRequest", {"resolution": "refund", "exchange_sku": None}),
    ("ReturnRequest", {"resolution": "refund", "exchange_sku": "TSHIRT-L"}),
    ("ReturnRequest", {"resolution": "exchange"}),
    ("ReturnRequest", {"resolution": "exchange", "exchange_sku": "TSHIRT-L"}),
    ("ReturnEventRequest", {"status": "approved"}),
    ("ReturnEventRequest", {"status": "approved", "label": LABEL}),
    ("ReturnEventRequest", {"status": "label_created"}),
    ("ReturnEventRequest", {"status": "label_created", "label": LABEL}),
    ("ReturnEventRequest", {"status": "label_created", "label": {**LABEL, "label_url": None}}),
    ("ReturnEventRequest", {"status": "received", "conditions": []}),
    ("ReturnEventRequest", {"status": "refunded", "refund": None}),
    ("ReturnEventRequest", {"status": "refunded", "refund": REFUND, "reason": None}),
    ("ReturnEventRequest", {"status": "rejected", "reason": "worn", "refund": REFUND}),
    ("ReturnEventRequest", {"status": "rejected", "reason": "worn"}),
]


@pytest.mark.parametrize(("model", "body"), SHAPES)
def test_the_document_accepts_a_return_body_exactly_when_the_server_does(
    client: Any, model: str, body: dict[str, Any]
) -> None:
    from pydantic import ValidationError

    from chalicelib.models import returns

    if model == "ReturnRequest":
        body = {"items": [{"sku": "TSHIRT-M", "quantity": 1, "reason": "too_small"}], **body}
    doc = document(client)
    validator = Draft202012Validator({**component(doc, model), "components": doc["components"]})
    try:
        getattr(returns, model).model_validate(body)
        accepted = True
    except ValidationError:
        accepted = False

    assert validator.is_valid(body) == accepted


def test_the_document_lists_the_time_zone_names_the_server_takes(client: Any) -> None:
    from chalicelib.domain.time_zones import iana_zone_names

    zone = component(document(client), "Customer")["properties"]["time_zone"]["anyOf"][0]

    # A name of the right form that the zone database does not hold ("Mars/Olympus") was
    # valid to the document and 422 to the server.
    assert set(zone["enum"]) == iana_zone_names()
    assert {"Europe/Berlin", "America/Argentina/Buenos_Aires"} <= set(zone["enum"])
    assert "Mars/Olympus" not in zone["enum"]


@pytest.mark.parametrize(
    "email", ["anna@example.com", "anna\x85schmidt@example.com", "anna\ufeff@example.com"]
)
def test_the_document_and_the_server_read_white_space_in_an_email_alike(
    client: Any, email: str
) -> None:
    import jsonschema_rs  # reads a pattern as ECMA-262 does, as JSON Schema says (not as re)
    from pydantic import ValidationError

    from chalicelib.models.orders import Customer

    schema = component(document(client), "Customer")["properties"]["email"]["anyOf"][0]
    try:
        Customer.model_validate({"name": "Anna", "email": email})
        accepted = True
    except ValidationError:
        accepted = False

    # `\s` is U+0085 to the server's regex engine and U+FEFF to ECMA-262: each let one through.
    assert jsonschema_rs.validator_for(schema).is_valid(email) == accepted


@pytest.mark.parametrize(
    "path", ["/v1/promise/shipping-details", "/v1/promise/merchant-center", "/v1/returns/policy"]
)
def test_the_document_lists_the_country_codes_the_search_answers_take(
    client: Any, path: str
) -> None:
    from chalicelib.domain.promise.holiday_classes import supported

    parameters = document(client)["paths"][path]["get"]["parameters"]
    (country,) = [p["schema"] for p in parameters if p["name"] == "country"]

    # "AA" has the form of a code and names no country: valid to the document, 422 here.
    assert "AA" not in country["enum"] and {"DE", "AT", "FR"} <= set(country["enum"])
    assert all(supported(code) for code in country["enum"])
    assert client.get(f"{path}?country=AA").status_code == 422
