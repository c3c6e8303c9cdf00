"""Returns through the API (Chalice test client on in-process moto): the contract in detail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib import deps
from chalicelib.domain.returns import figures
from chalicelib.services.projections import project
from tests.api.factories import MERCHANT, body_of, order_body, post, shipment_body
from tests.api.returns_steps import (
    LABEL,
    OUTBOUND,
    RETURN_LABEL,
    RETURN_PARCEL,
    a_return_request,
    carrier_event,
    given_delivered_order,
    given_order,
    post_events,
    read_return,
    request_return,
    step,
)
from tests.api.test_notifications import stream_record
from tests.conftest import TEST_ENV

JSON = {"Content-Type": "application/json"}


def stored(prefix: str) -> list[dict[str, Any]]:
    """Items whose PK or SK starts with ``prefix`` (a test may look at the whole table)."""
    table = boto3.resource("dynamodb").Table(TEST_ENV["PK_TABLE_NAME"])
    items = table.scan()["Items"]
    return [i for i in items if str(i["PK"]).startswith(prefix) or str(i["SK"]) == prefix]


# The return's own facts; an order's registration and its parcels' delivery write facts too.
RETURN_FACTS = {figures.RETURN_REQUESTED, figures.RETURN_REFUNDED}


def return_writes() -> dict[str, int]:
    outbox = [i for i in stored("OUTBOX#") if "return_status" in str(i["SK"])]
    return {
        "returns": len(stored("RETURN#")),
        "ledgers": len(stored("RETURNS")),
        "outbox": len(outbox),
        "facts": len([i for i in stored("FACT#") if i["kind"] in RETURN_FACTS]),
        "keys": len(stored("IDEMPOTENCY#")),
    }


NOTHING = {"returns": 0, "ledgers": 0, "outbox": 0, "facts": 0, "keys": 0}


# -- request -------------------------------------------------------------------------------------
def test_the_merchant_requests_a_return_and_reads_it_with_its_history(client: Any) -> None:
    given_delivered_order(client)

    response = request_return(client)

    assert response.status_code == 201, response.body
    answer = body_of(response)
    assert answer["status"] == "requested"
    assert answer["items"] == [{"sku": "TSHIRT-M", "quantity": 1, "reason": "too_small"}]
    assert [h["status"] for h in answer["history"]] == ["requested"]
    assert body_of(read_return(client, answer["return_id"])) == answer
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert [r["return_id"] for r in order["returns"]] == [answer["return_id"]]
    assert return_writes() == {"returns": 1, "ledgers": 1, "outbox": 1, "facts": 1, "keys": 0}


def test_the_customer_requests_with_the_token_in_the_body_and_reads_with_it(client: Any) -> None:
    token = given_delivered_order(client)

    response = request_return(client, a_return_request(token=token), headers=JSON)
    return_id = body_of(response)["return_id"]

    assert response.status_code == 201
    assert read_return(client, return_id, f"?token={token}").status_code == 200
    assert read_return(client, return_id, "?token=forged").status_code == 403
    assert read_return(client, return_id, "?").status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (a_return_request(), 401, "unauthorized"),
        (a_return_request(token="forged"), 403, "forbidden"),
    ],
)
def test_a_request_without_a_valid_credential_is_refused_and_stores_nothing(
    client: Any, body: dict[str, Any], status: int, code: str
) -> None:
    given_delivered_order(client)

    response = request_return(client, body, headers=JSON)

    assert (response.status_code, body_of(response)["code"]) == (status, code)
    assert return_writes() == NOTHING


def item(sku: str = "TSHIRT-M", quantity: int = 1, reason: str = "too_small") -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, "reason": reason}


@pytest.mark.parametrize(
    ("items", "status", "code", "loc"),
    [
        ([item("HAT-RED")], 409, "return_not_allowed", ["items", 0, "sku"]),
        ([item(quantity=3)], 409, "return_not_allowed", ["items", 0, "quantity"]),
        ([item("SOCKS-3PACK")], 409, "return_not_allowed", ["items", 0, "sku"]),
        ([item(reason="bored")], 422, "validation_error", ["items", 0, "reason"]),
        ([item(reason="other")], 422, "validation_error", ["items", 0]),
        ([], 422, "validation_error", ["items"]),
    ],
)
def test_a_request_the_policy_or_the_schema_refuses_names_the_line_and_stores_nothing(
    client: Any, items: list[dict[str, Any]], status: int, code: str, loc: list[Any]
) -> None:
    order_items = [
        {"sku": "TSHIRT-M", "quantity": 2, "name": "T-Shirt M"},
        {"sku": "SOCKS-3PACK", "quantity": 1, "name": "Socken"},
    ]
    given_delivered_order(client, items=order_items)

    response = request_return(client, a_return_request(items=items))

    problem = body_of(response)
    assert (response.status_code, problem["code"]) == (status, code), problem
    assert response.headers["Content-Type"] == "application/problem+json"
    assert problem["errors"][0]["loc"] == loc
    assert return_writes() == NOTHING


def test_an_order_not_delivered_yet_cannot_be_returned(client: Any) -> None:
    given_order(client)

    response = request_return(client)

    assert (response.status_code, body_of(response)["code"]) == (409, "return_not_allowed")
    assert "not been delivered" in body_of(response)["detail"]
    assert return_writes() == NOTHING


def test_the_window_closes_thirty_days_after_the_parcel_arrived(client: Any) -> None:
    given_delivered_order(client, days_ago=31)

    response = request_return(client)

    assert (response.status_code, body_of(response)["code"]) == (409, "return_not_allowed")
    assert "window" in body_of(response)["detail"]
    assert return_writes() == NOTHING


def test_an_unknown_order_is_404(client: Any) -> None:
    assert request_return(client, order_id="9999").status_code == 404


def test_earlier_returns_count_against_what_remains(client: Any) -> None:
    given_delivered_order(client)
    assert request_return(client, a_return_request(items=[item(quantity=1)])).status_code == 201

    second = request_return(client, a_return_request(items=[item(quantity=2)]))
    third = request_return(client, a_return_request(items=[item(quantity=1)]))

    assert body_of(second)["errors"] == [
        {"loc": ["items", 0, "quantity"], "msg": "only 1 of TSHIRT-M can still be returned"}
    ]
    assert third.status_code == 201


# -- idempotency ---------------------------------------------------------------------------------
def with_key(key: str) -> dict[str, str]:
    return {**MERCHANT, "Idempotency-Key": key}


def test_the_same_key_and_body_answer_the_same_return_and_store_one(client: Any) -> None:
    given_delivered_order(client)

    first = request_return(client, headers=with_key("k-1"))
    again = request_return(client, headers=with_key("k-1"))

    assert (first.status_code, again.status_code) == (201, 200)
    assert body_of(again)["return_id"] == body_of(first)["return_id"]
    assert return_writes() == {"returns": 1, "ledgers": 1, "outbox": 1, "facts": 1, "keys": 1}


def test_the_same_key_with_another_body_is_409_and_stores_nothing_more(client: Any) -> None:
    given_delivered_order(client)
    request_return(client, headers=with_key("k-1"))

    other = request_return(
        client, a_return_request(resolution="store_credit"), headers=with_key("k-1")
    )

    assert (other.status_code, body_of(other)["code"]) == (409, "conflict")
    assert return_writes() == {"returns": 1, "ledgers": 1, "outbox": 1, "facts": 1, "keys": 1}


def test_a_malformed_key_is_422(client: Any) -> None:
    given_delivered_order(client)

    response = request_return(client, headers=with_key("no spaces allowed"))

    assert body_of(response)["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert return_writes() == NOTHING


# -- the lifecycle -------------------------------------------------------------------------------
def given_requested_return(client: Any) -> str:
    given_delivered_order(client)
    return_id: str = body_of(request_return(client))["return_id"]
    return return_id


def test_the_merchant_and_the_return_parcel_move_the_return_to_its_refund(client: Any) -> None:
    return_id = given_requested_return(client)
    assert step(client, return_id, {"status": "approved"}).status_code == 200
    assert step(client, return_id, LABEL).status_code == 200
    now = datetime.now(UTC)

    moving = carrier_event("r-1", "in_transit", now - timedelta(hours=3), RETURN_PARCEL)
    arrived = carrier_event("r-2", "delivered", now - timedelta(hours=1), RETURN_PARCEL)
    assert post_events(client, moving, moving)["accepted"] == 1
    answer = post_events(client, arrived)
    refunded = step(
        client, return_id, {"status": "refunded", "refund": {"amount": "19.90", "currency": "EUR"}}
    )

    assert (answer["accepted"], answer["unknown_tracking_numbers"]) == (1, [])
    view = body_of(refunded)
    assert [h["status"] for h in view["history"]] == [
        "requested", "approved", "label_created", "in_transit", "received", "refunded"
    ]  # fmt: skip
    assert [h["source"] for h in view["history"]][3:5] == ["carrier", "carrier"]
    assert view["refund"] == {"amount": "19.90", "currency": "EUR"}
    assert [e["event_id"] for e in view["parcel_events"]] == ["r-2", "r-1"]
    statuses = sorted(
        str(i["SK"]).split("#")[3] for i in stored("OUTBOX#1001") if "return_status" in str(i["SK"])
    )
    assert statuses == sorted(
        ["requested", "approved", "label_created", "in_transit", "received", "refunded"]
    )


ONE_EURO = {"amount": "1.00", "currency": "EUR"}
NO_LABEL_OR_CODE = {"carrier": "dhl", "tracking_number": "RET1"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"status": "refunded", "refund": ONE_EURO}, 409, "illegal_transition"),
        ({"status": "label_created"}, 422, "validation_error"),
        ({"status": "label_created", "label": NO_LABEL_OR_CODE}, 422, "validation_error"),
        ({"status": "rejected"}, 422, "validation_error"),
        ({"status": "approved", "refund": ONE_EURO}, 422, "validation_error"),
        ({"status": "requested"}, 422, "validation_error"),
    ],
)  # fmt: skip
def test_a_step_the_lifecycle_or_the_schema_refuses_changes_nothing(
    client: Any, body: dict[str, Any], status: int, code: str
) -> None:
    return_id = given_requested_return(client)

    response = step(client, return_id, body)

    assert (response.status_code, body_of(response)["code"]) == (status, code), response.body
    assert body_of(read_return(client, return_id))["status"] == "requested"


def test_the_same_step_again_is_answered_unchanged(client: Any) -> None:
    return_id = given_requested_return(client)
    step(client, return_id, {"status": "approved"})

    again = step(client, return_id, {"status": "approved"})

    assert again.status_code == 200
    assert [h["status"] for h in body_of(again)["history"]] == ["requested", "approved"]


def test_a_rejected_return_gives_its_quantities_back(client: Any) -> None:
    return_id = given_requested_return(client)
    request_return(client)  # both T-shirts are on their way back now

    rejected = step(client, return_id, {"status": "rejected", "reason": "outside policy"})
    third = request_return(client)

    assert body_of(rejected)["rejection_reason"] == "outside policy"
    assert third.status_code == 201


def test_a_label_cannot_take_the_tracking_number_of_an_outbound_parcel(client: Any) -> None:
    return_id = given_requested_return(client)
    step(client, return_id, {"status": "approved"})
    label = {"status": "label_created", "label": {**RETURN_LABEL, "tracking_number": OUTBOUND}}

    response = step(client, return_id, label)

    assert (response.status_code, body_of(response)["code"]) == (409, "conflict")
    assert body_of(read_return(client, return_id))["status"] == "approved"


def test_an_outbound_shipment_cannot_take_the_tracking_number_of_a_return_parcel(
    client: Any,
) -> None:
    # Given a return whose label holds RETURN_PARCEL, and a second order without a shipment
    return_id = given_requested_return(client)
    step(client, return_id, {"status": "approved"})
    assert step(client, return_id, LABEL).status_code == 200
    assert post(client, "/v1/orders", order_body("1002")).status_code == 201

    # When the merchant registers an outbound shipment under the return parcel's number
    shipment = shipment_body(tracking_number=RETURN_PARCEL)
    response = post(client, "/v1/orders/1002/shipments", shipment)

    # Then it is refused and nothing is stored: no shipment, no outbound tracking item
    assert (response.status_code, body_of(response)["code"]) == (409, "conflict")
    assert "return parcel" in body_of(response)["detail"]
    order = body_of(client.get("/v1/orders/1002", headers=MERCHANT))
    assert order["shipments"] == []
    assert [i["SK"] for i in stored(f"TRACKING#{RETURN_PARCEL}")] == ["RETURN"]
    # and the return parcel's scans still move the return
    scan = carrier_event("ret-1", "in_transit", datetime.now(UTC), RETURN_PARCEL)
    assert post_events(client, scan)["accepted"] == 1
    assert body_of(read_return(client, return_id))["status"] == "in_transit"


def test_an_unknown_return_is_404(client: Any) -> None:
    assert read_return(client, "R000000000000").status_code == 404
    assert step(client, "R000000000000", {"status": "approved"}).status_code == 404


# -- figures -------------------------------------------------------------------------------------
def project_facts() -> None:
    client = boto3.client("dynamodb")
    facts = client.scan(
        TableName=TEST_ENV["PK_TABLE_NAME"],
        FilterExpression="begins_with(PK, :fact)",
        ExpressionAttributeValues={":fact": {"S": "FACT#"}},
    )["Items"]
    records = [stream_record(f, sequence=n) for n, f in enumerate(facts)]
    project(records, deps.counter_store(), datetime.now(UTC))


def test_the_summary_reads_the_counters_and_is_not_taken_for_a_return_id(client: Any) -> None:
    given_delivered_order(client)
    given_delivered_order(client, order_id="1002")
    first = body_of(request_return(client, a_return_request(items=[item(quantity=2)])))["return_id"]
    request_return(client, a_return_request(items=[item(reason="damaged")]), order_id="1002")
    step(client, first, {"status": "approved"})
    step(client, first, {"status": "received"})
    step(client, first, {"status": "refunded", "refund": {"amount": "39.80", "currency": "EUR"}})
    project_facts()
    today = datetime.now(UTC).date()

    response = client.get(f"/v1/returns/summary?from={today}&to={today}", headers=MERCHANT)

    assert response.status_code == 200, response.body
    assert body_of(response) == {
        "count": 2,
        "orders": 2,
        "rate": 1.0,
        "reasons": [{"reason": "too_small", "items": 2}, {"reason": "damaged", "items": 1}],
        "refunded": 1,
        "median_days_to_refund": 0.0,
    }
    read = deps.return_service().summary(today - timedelta(days=30), today)
    assert read.items_read == 3  # one day's item per counter: no scan, whatever the orders


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?from=2026-12-31&to=2026-12-01",
        "?from=2026-01-01&to=2027-12-31",
        "?from=9999-12-01&to=9999-12-31",
        "?from=2026-12-01&to=9999-12-31",
        "?from=2000-01-01&to=2000-01-31",
    ],
)
def test_a_summary_needs_a_forward_range_of_at_most_a_year(client: Any, query: str) -> None:
    response = client.get(f"/v1/returns/summary{query}", headers=MERCHANT)

    assert (response.status_code, body_of(response)["code"]) == (422, "validation_error")


def test_the_summary_is_for_the_merchant_only(client: Any) -> None:
    response = client.get(f"/v1/returns/summary?from={date(2026, 12, 1)}&to={date(2026, 12, 31)}")

    assert response.status_code == 401


def test_post_routes_are_problem_json_when_the_body_is_not_json(client: Any) -> None:
    given_delivered_order(client)

    response = post(client, "/v1/orders/1001/returns", b"{nope")

    assert (response.status_code, body_of(response)["code"]) == (400, "malformed_json")
