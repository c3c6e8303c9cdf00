"""Nothing grows one item without bound, over the real HTTP path (issue 19, section 4).

One test per item family fills it to its documented bound and shows that the next write is
refused or trimmed with a clear answer, never a 500: a parcel's events (the order item and its
timeline), an order's shipments, a rating's changes, a return parcel's events. Orders stored
with the event ids inside the order item, as the table holds them from before, keep working.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

from chalicelib.domain.feedback.rating import MAX_CHANGES
from chalicelib.domain.orders import MAX_EVENTS_PER_PARCEL
from chalicelib.domain.orders.bounds import MAX_SHIPMENT_LINES, MAX_SHIPMENTS
from chalicelib.domain.returns.transitions import MAX_PARCEL_EVENTS
from tests.api.factories import MERCHANT, body_of, current_order_body, post, shipment_body, token
from tests.api.returns_steps import (
    LABEL,
    RETURN_PARCEL,
    carrier_event,
    given_delivered_order,
    read_return,
    request_return,
    step,
)
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

DHL = "00340434161094042557"


def table() -> Any:
    return boto3.resource("dynamodb").Table(TEST_ENV["PK_TABLE_NAME"])


def item(pk: str, sk: str) -> dict[str, Any]:
    found: dict[str, Any] = table().get_item(Key={"PK": pk, "SK": sk})["Item"]
    return found


def size_of(stored: dict[str, Any]) -> int:
    return len(json.dumps(stored, default=str))


def webhook(client: Any, *events: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps({"events": list(events)}).encode()
    headers = senders.generic_headers(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC))
    answer = client.post(
        "/v1/webhooks/generic", headers={"Content-Type": "application/json", **headers}, body=body
    )
    assert answer.status_code == 200, answer.body
    result: dict[str, Any] = body_of(answer)
    return result


def given_a_parcel(client: Any, order_id: str, tracking_number: str) -> None:
    assert post(client, "/v1/orders", current_order_body(datetime.now(UTC), order_id)).status_code
    shipment = shipment_body(tracking_number=tracking_number)
    assert post(client, f"/v1/orders/{order_id}/shipments", shipment).status_code == 201


def scan(event_id: str, status: str, at: datetime, tracking_number: str) -> dict[str, Any]:
    return carrier_event(event_id, status, at, tracking_number)


# -- a parcel's events: the order item, and the parcel's timeline --------------------------------
def test_a_parcels_events_never_grow_its_order_and_its_timeline_keeps_the_newest_hundred(
    client: Any,
) -> None:
    # Given two orders: one parcel sees 300 events with the longest ids a sender may give
    # (128 characters), the other none; both then see their first scan and the delivery
    busy, quiet = "JJD000000000000001", "JJD000000000000002"
    given_a_parcel(client, "1001", busy)
    given_a_parcel(client, "1002", quiet)
    start = datetime.now(UTC) - timedelta(hours=20)
    for number in (busy, quiet):
        assert webhook(client, scan("first", "in_transit", start, number))["accepted"] == 1
    for batch in range(3):
        events = [
            scan(f"{batch}-{n:03d}".ljust(128, "x"), "in_transit", start + timedelta(
                minutes=batch * 100 + n + 1), busy)
            for n in range(100)
        ]  # fmt: skip
        assert webhook(client, *events)["accepted"] == 100

    # When the real delivery comes
    delivered = datetime.now(UTC) - timedelta(minutes=5)
    answers = [webhook(client, scan("delivered", "delivered", delivered, n)) for n in (busy, quiet)]

    # Then it is taken like any other, and the order item is as large as the quiet one's
    assert [a["accepted"] for a in answers] == [1, 1]
    orders = [item(f"ORDER#{order_id}", "ORDER") for order_id in ("1001", "1002")]
    assert abs(size_of(orders[0]) - size_of(orders[1])) < 16  # the revision's digits, no more
    copies = [item(f"TRACKING#{number}", "TRACKING") for number in (busy, quiet)]
    assert abs(size_of(copies[0]) - size_of(copies[1])) < 16
    shown = body_of(client.get("/v1/orders/1001", headers=MERCHANT))["shipments"][0]
    assert shown["status"] == "delivered"
    assert len(shown["events"]) == MAX_EVENTS_PER_PARCEL
    assert shown["events"][0]["event_id"] == "delivered"
    assert shown["events"][-1]["event_id"].startswith("2-001")  # the 200 oldest are trimmed


def test_an_event_seen_before_but_trimmed_from_the_timeline_is_still_a_duplicate(
    client: Any,
) -> None:
    given_a_parcel(client, "1001", DHL)
    start = datetime.now(UTC) - timedelta(hours=20)
    events = [scan(f"evt-{n:03d}", "in_transit", start + timedelta(minutes=n), DHL)
              for n in range(MAX_EVENTS_PER_PARCEL + 1)]  # fmt: skip
    assert webhook(client, *events[:-1])["accepted"] == MAX_EVENTS_PER_PARCEL
    assert webhook(client, events[-1])["accepted"] == 1  # the timeline's 101st: evt-000 leaves

    again = webhook(client, events[0])  # the oldest: no longer in the timeline

    assert (again["accepted"], again["duplicates"]) == (0, 1)


# -- an order's shipments ------------------------------------------------------------------------
def test_an_order_takes_twenty_shipments_and_refuses_the_twenty_first_clearly(
    client: Any,
) -> None:
    body = current_order_body(datetime.now(UTC), "1001")
    body["items"] = [{"sku": "TSHIRT-M", "quantity": 999, "name": "T-Shirt M"}]
    assert post(client, "/v1/orders", body).status_code == 201
    one = [{"sku": "TSHIRT-M", "quantity": 1}]
    for n in range(MAX_SHIPMENTS):
        parcel = shipment_body(f"S{n}", tracking_number=f"JJD{n:015d}", items=one)
        assert post(client, "/v1/orders/1001/shipments", parcel).status_code == 201

    refused = post(
        client,
        "/v1/orders/1001/shipments",
        shipment_body("S99", tracking_number="JJD99", items=one),
    )

    assert refused.status_code == 422
    assert body_of(refused)["errors"] == [
        {"loc": ["shipment_id"], "msg": f"An order holds at most {MAX_SHIPMENTS} shipments"}
    ]
    # And every parcel of the full order still takes its carrier's events
    moved = webhook(client, scan("evt-1", "in_transit", datetime.now(UTC), f"JJD{7:015d}"))
    assert moved["accepted"] == 1


def test_an_orders_shipments_list_at_most_two_hundred_lines(client: Any) -> None:
    body = current_order_body(datetime.now(UTC), "1001")
    body["items"] = [{"sku": "TSHIRT-M", "quantity": 999, "name": "T-Shirt M"}]
    assert post(client, "/v1/orders", body).status_code == 201
    hundred = [{"sku": "TSHIRT-M", "quantity": 1}] * 100
    for n in range(MAX_SHIPMENT_LINES // 100):
        parcel = shipment_body(f"S{n}", tracking_number=f"JJD{n:015d}", items=hundred)
        assert post(client, "/v1/orders/1001/shipments", parcel).status_code == 201

    one_more = shipment_body("S9", tracking_number="JJD9", items=[hundred[0]])
    refused = post(client, "/v1/orders/1001/shipments", one_more)

    assert refused.status_code == 422
    assert body_of(refused)["errors"][0]["loc"] == ["items"]
    assert "(0 left)" in body_of(refused)["errors"][0]["msg"]


# -- a rating's changes --------------------------------------------------------------------------
def rate(client: Any, rating: int, comment: str) -> Any:
    body = {"order_id": "1001", "token": token(), "rating": rating, "comment": comment}
    return client.post(
        "/v1/feedback", headers={"Content-Type": "application/json"}, body=json.dumps(body)
    )


def test_a_rating_changes_twenty_times_each_answer_in_its_own_item_then_refuses(
    client: Any,
) -> None:
    given_delivered_order(client)
    long_comment = "Schnell geliefert, gut verpackt. " * 60  # the 2,000 characters a comment holds
    assert rate(client, 5, long_comment[:2000]).status_code == 201
    for change in range(MAX_CHANGES):
        assert rate(client, 1 + change % 10, long_comment[:2000]).status_code == 200

    refused = rate(client, 9, "once more")

    assert refused.status_code == 409
    assert body_of(refused)["code"] == "already_rated"
    assert f"at most {MAX_CHANGES} times" in body_of(refused)["detail"]
    rating = item("ORDER#1001", "FEEDBACK")
    assert rating["version"] == MAX_CHANGES + 1
    assert size_of(rating) < 4_000  # one answer, whatever came before
    earlier = table().query(
        KeyConditionExpression=Key("PK").eq("ORDER#1001") & Key("SK").begins_with("FEEDBACK#")
    )["Items"]
    assert len(earlier) == MAX_CHANGES


# -- a return parcel's events --------------------------------------------------------------------
def test_a_return_keeps_its_parcels_newest_fifty_events(client: Any) -> None:
    given_delivered_order(client)
    return_id = body_of(request_return(client))["return_id"]
    assert step(client, return_id, {"status": "approved"}).status_code == 200
    assert step(client, return_id, LABEL).status_code == 200
    start = datetime.now(UTC) - timedelta(hours=10)
    scans = [scan(f"r-{n:03d}", "in_transit", start + timedelta(minutes=n), RETURN_PARCEL)
             for n in range(MAX_PARCEL_EVENTS)]  # fmt: skip
    assert webhook(client, *scans)["accepted"] == MAX_PARCEL_EVENTS

    newer = webhook(client, scan("r-new", "in_transit", start + timedelta(hours=5), RETURN_PARCEL))
    older = webhook(client, scan("r-old", "in_transit", start - timedelta(hours=1), RETURN_PARCEL))

    assert newer["accepted"] == 1
    assert older["accepted"] == 0  # older than all fifty kept: it changes nothing
    shown = [e["event_id"] for e in body_of(read_return(client, return_id))["parcel_events"]]
    assert len(shown) == MAX_PARCEL_EVENTS
    assert shown[0] == "r-new"
    assert "r-000" not in shown and "r-old" not in shown


# -- orders stored before ------------------------------------------------------------------------
def test_an_order_stored_with_its_event_ids_inside_reads_and_takes_events_as_before(
    client: Any,
) -> None:
    # Given an order as the table holds it from before: its events' ids inside the order item
    # and its tracking copy, and no item of their own
    given_a_parcel(client, "1001", DHL)
    start = datetime.now(UTC) - timedelta(hours=10)
    old = [scan(f"evt-{n}", "in_transit", start + timedelta(hours=n), DHL) for n in range(2)]
    webhook(client, *old)
    for pk, sk in (("ORDER#1001", "ORDER"), (f"TRACKING#{DHL}", "TRACKING")):
        stored = item(pk, sk)
        stored["shipments"][0]["event_ids"] = ["evt-0", "evt-1"]
        table().put_item(Item=stored)
    seen = table().query(
        KeyConditionExpression=Key("PK").eq("ORDER#1001") & Key("SK").begins_with("SEEN#")
    )["Items"]
    for gone in seen:
        table().delete_item(Key={"PK": gone["PK"], "SK": gone["SK"]})

    # When it is read, and its old and a new event come in
    shown = client.get("/v1/orders/1001", headers=MERCHANT)
    again = webhook(client, old[1])
    new = webhook(client, scan("evt-2", "out_for_delivery", start + timedelta(hours=3), DHL))

    # Then it reads as before, the old event is a duplicate, and the ids leave the order item
    assert shown.status_code == 200
    assert [e["event_id"] for e in body_of(shown)["shipments"][0]["events"]] == ["evt-1", "evt-0"]
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    assert new["accepted"] == 1
    assert "event_ids" not in item("ORDER#1001", "ORDER")["shipments"][0]
    assert "event_ids" not in item(f"TRACKING#{DHL}", "TRACKING")["shipments"][0]


def test_a_tracking_copy_stored_under_the_number_as_written_is_still_found(client: Any) -> None:
    # Given a parcel registered as "xsstrk0001" before numbers were matched without case
    given_a_parcel(client, "1001", "xsstrk0001")
    copy = item("TRACKING#XSSTRK0001", "TRACKING")
    table().delete_item(Key={"PK": "TRACKING#XSSTRK0001", "SK": "TRACKING"})
    table().put_item(Item={**copy, "PK": "TRACKING#xsstrk0001"})
    now = datetime.now(UTC)

    as_written = webhook(client, scan("evt-1", "in_transit", now, "xsstrk0001"))
    in_capitals = webhook(client, scan("evt-2", "in_transit", now, "XSSTRK0001"))

    # The number as written reaches the old copy; its write keys the copy as numbers match now
    assert (as_written["accepted"], in_capitals["accepted"]) == (1, 1)
