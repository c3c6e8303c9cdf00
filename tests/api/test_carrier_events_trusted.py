"""Carrier events the record can trust, over the real HTTP path (issue 19, section 3).

Each case was reproduced against the running stack: a scan dated before the order kept its
promise, one dated next year kept a delivered parcel in transit, a ``ups`` event moved a ``dhl``
parcel, ``xsstrk0001`` was not ``XSSTRK0001``, a webhook was refused whole for one bad event,
and 1,000 AfterShip checkpoints were all stored. The scans here are dated around the real
clock: the order was placed yesterday.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.factories import MERCHANT, body_of, current_order_body, post, shipment_body, token
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

SECRET = TEST_ENV["PK_WEBHOOK_SECRET"]
DHL = "00340434161094042557"


def given_a_parcel(
    client: Any, tracking_number: str = DHL, carrier: str = "dhl", order_id: str = "1001"
) -> datetime:
    """An order placed yesterday, shipped as one parcel; when it was placed."""
    now = datetime.now(UTC)
    body = current_order_body(now, order_id)
    assert post(client, "/v1/orders", body).status_code == 201
    shipment = shipment_body(tracking_number=tracking_number, carrier=carrier)
    assert post(client, f"/v1/orders/{order_id}/shipments", shipment).status_code == 201
    return datetime.fromisoformat(body["placed_at"])


def scan(
    event_id: str,
    status: str,
    at: datetime,
    tracking_number: str = DHL,
    carrier: str = "dhl",
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "carrier": carrier,
        "tracking_number": tracking_number,
        "status": status,
        "occurred_at": at.isoformat(),
    }


def webhook(client: Any, *events: dict[str, Any]) -> Any:
    body = json.dumps({"events": list(events)}).encode()
    headers = senders.generic_headers(body, SECRET, datetime.now(UTC))
    return client.post(
        "/v1/webhooks/generic", headers={"Content-Type": "application/json", **headers}, body=body
    )


def parcel(client: Any, order_id: str = "1001") -> dict[str, Any]:
    order = body_of(client.get(f"/v1/orders/{order_id}", headers=MERCHANT))
    shipment: dict[str, Any] = order["shipments"][0]
    return {**shipment, "order_status": order["status"], "promise": order["promise"]["state"]}


# -- dates ---------------------------------------------------------------------------------------
def test_a_delivery_dated_before_the_order_does_not_keep_the_promise(client: Any) -> None:
    given_a_parcel(client)

    answer = webhook(client, scan("evt-2023", "delivered", datetime(2023, 5, 2, 12, tzinfo=UTC)))

    assert answer.status_code == 200
    assert body_of(answer)["skipped"] == {"before_order": 1}
    assert body_of(answer)["accepted"] == 0
    seen = parcel(client)
    assert (seen["status"], seen["events"]) == ("info_received", [])
    assert seen["promise"] == "on_track"


def test_a_scan_dated_next_year_keeps_neither_the_parcel_in_transit_nor_the_rating_away(
    client: Any,
) -> None:
    given_a_parcel(client)
    now = datetime.now(UTC)
    assert (
        body_of(webhook(client, scan("evt-1", "delivered", now - timedelta(hours=2))))["accepted"]
        == 1
    )

    answer = webhook(client, scan("evt-next-year", "in_transit", now + timedelta(days=200)))

    assert answer.status_code == 200
    assert body_of(answer)["skipped"] == {"in_future": 1}
    assert parcel(client)["status"] == "delivered"
    rating = {"order_id": "1001", "token": token(), "rating": 9}
    rated = client.post(
        "/v1/feedback", headers={"Content-Type": "application/json"}, body=json.dumps(rating)
    )
    assert rated.status_code == 201, rated.body


def test_a_day_ahead_of_the_clock_is_still_a_carriers_scan(client: Any) -> None:
    given_a_parcel(client)

    answer = webhook(client, scan("evt-1", "in_transit", datetime.now(UTC) + timedelta(hours=23)))

    assert body_of(answer)["accepted"] == 1


# -- one webhook, some events it cannot use ------------------------------------------------------
def test_a_webhook_is_applied_but_for_the_events_it_cannot_use_counted_by_reason(
    client: Any,
) -> None:
    placed = given_a_parcel(client)
    now = datetime.now(UTC)

    answer = webhook(
        client,
        scan("evt-old", "delivered", placed - timedelta(days=400)),
        scan("evt-1", "in_transit", now - timedelta(hours=3)),
        scan("evt-nobody", "in_transit", now, tracking_number="NOBODYS-1"),
        scan("evt-ups", "delivered", now - timedelta(hours=1), carrier="ups"),
        scan("evt-ahead", "delivered", now + timedelta(days=30)),
        scan("evt-2", "out_for_delivery", now - timedelta(hours=1)),
        {**scan("evt-eta", "in_transit", now), "estimated_delivery": "2200-01-01"},
    )

    assert answer.status_code == 200
    assert body_of(answer) == {
        "accepted": 2,
        "duplicates": 0,
        "unknown_tracking_numbers": ["NOBODYS-1"],
        "skipped": {
            "before_order": 1,
            "carrier_mismatch": 1,
            "estimate_out_of_range": 1,
            "in_future": 1,
            "unknown_tracking_number": 1,
        },
    }
    seen = parcel(client)
    assert seen["status"] == "out_for_delivery"
    assert [e["event_id"] for e in seen["events"]] == ["evt-2", "evt-1"]


def test_malformed_json_and_a_bad_signature_are_still_refused_whole(client: Any) -> None:
    given_a_parcel(client)
    good = json.dumps({"events": [scan("evt-1", "in_transit", datetime.now(UTC))]}).encode()

    now = datetime.now(UTC)
    broken = client.post(
        "/v1/webhooks/generic",
        headers={"Content-Type": "application/json", **senders.generic_headers(b"{", SECRET, now)},
        body=b"{",
    )
    unsigned = client.post(
        "/v1/webhooks/generic",
        headers={"Content-Type": "application/json", **senders.generic_headers(good, "x", now)},
        body=good,
    )

    assert (broken.status_code, unsigned.status_code) == (400, 401)
    assert parcel(client)["events"] == []


# -- whose parcel --------------------------------------------------------------------------------
def test_an_event_moves_only_a_parcel_of_its_carrier(client: Any) -> None:
    given_a_parcel(client)

    answer = webhook(client, scan("evt-ups", "delivered", datetime.now(UTC), carrier="ups"))

    assert body_of(answer)["skipped"] == {"carrier_mismatch": 1}
    assert parcel(client)["status"] == "info_received"


def test_an_aggregators_name_for_the_parcels_carrier_moves_it(client: Any) -> None:
    given_a_parcel(client)

    answer = webhook(client, scan("evt-1", "in_transit", datetime.now(UTC), carrier="dhl-germany"))

    assert body_of(answer)["accepted"] == 1


@pytest.mark.parametrize("sent", ["xsstrk0001", "XSS TRK 0001", "XsStRk0001"])
def test_tracking_numbers_match_whatever_their_case_and_spaces(client: Any, sent: str) -> None:
    given_a_parcel(client, tracking_number="XSSTRK0001")

    answer = webhook(client, scan("evt-1", "in_transit", datetime.now(UTC), tracking_number=sent))

    assert body_of(answer)["accepted"] == 1
    assert parcel(client)["status"] == "in_transit"


def test_a_tracking_number_in_other_letters_is_not_a_second_parcel(client: Any) -> None:
    given_a_parcel(client, tracking_number="XSSTRK0001")
    assert post(client, "/v1/orders", current_order_body(datetime.now(UTC), "1002")).status_code
    other = shipment_body(tracking_number="xsstrk0001")

    answer = post(client, "/v1/orders/1002/shipments", other)

    assert (answer.status_code, body_of(answer)["code"]) == (409, "conflict")


# -- an aggregator's whole history ---------------------------------------------------------------
def test_an_aftership_webhook_of_a_thousand_checkpoints_stores_the_newest_hundred(
    client: Any,
) -> None:
    given_a_parcel(client, carrier="dhl")
    payload = senders.fixture("aftership_tracking_update.json")
    start = datetime.now(UTC) - timedelta(hours=20)
    payload["msg"]["checkpoints"] = [
        {
            "tag": "InTransit",
            "subtag": "InTransit_003",
            "checkpoint_time": (start + timedelta(seconds=60 * n)).isoformat(),
            "location": "Leipzig, Deutschland",
        }
        for n in range(1000)
    ]
    body = json.dumps(payload, separators=(",", ":")).encode()  # within the 256 KiB a body may be

    answer = client.post(
        "/v1/webhooks/aftership",
        headers={"Content-Type": "application/json", **senders.aftership_headers(body, SECRET)},
        body=body,
    )

    assert answer.status_code == 200, answer.body
    assert body_of(answer)["accepted"] == 100
    assert body_of(answer)["skipped"] == {"too_many_events": 900}
    events = parcel(client)["events"]
    assert len(events) == 100
    newest = datetime.fromisoformat(events[0]["occurred_at"])
    assert newest == start + timedelta(seconds=60 * 999)
