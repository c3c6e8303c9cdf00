"""Carrier webhooks over the real HTTP path: verified, mapped, stored once, in event order."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib import settings
from tests.api.factories import MERCHANT, body_of, order_body, post, shipment_body
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

SECRET = TEST_ENV["PK_WEBHOOK_SECRET"]
DHL = "00340434161094042557"

Signer = Callable[[bytes], dict[str, str]]
SOURCES: dict[str, tuple[str, str, Signer]] = {
    # source: (fixture, tracking number, signer)
    "generic": (
        "generic.json", DHL, lambda b: senders.generic_headers(b, SECRET, datetime.now(UTC))
    ),
    "easypost": (
        "easypost_tracker_updated.json", "9400111899223197428490",
        lambda b: senders.easypost_headers(b, SECRET),
    ),
    "aftership": (
        "aftership_tracking_update.json", DHL, lambda b: senders.aftership_headers(b, SECRET)
    ),
    "shippo": (
        "shippo_track_updated.json", "9205590164917312751089",
        lambda b: senders.shippo_headers(b, SECRET, datetime.now(UTC)),
    ),
    "17track": (
        "17track_tracking_updated.json", DHL,
        lambda b: senders.seventeen_track_headers(b, SECRET),
    ),
}  # fmt: skip
EXPECTED = {
    # source: (events stored, final canonical status, the sender's own code kept)
    "generic": (2, "out_for_delivery", "ZU-AUS"),
    "easypost": (5, "out_for_delivery", "out_for_delivery"),
    "aftership": (3, "in_transit", "InTransit/InTransit_003"),
    "shippo": (4, "failed_attempt", "TRANSIT/delivery_attempted"),
    "17track": (5, "failed_attempt", "DeliveryFailure/DeliveryFailure_NoBody"),
}


def given_order_shipped_with(client: Any, tracking_number: str, order_id: str = "1001") -> None:
    assert post(client, "/v1/orders", order_body(order_id)).status_code == 201
    shipment = shipment_body(tracking_number=tracking_number)
    assert post(client, f"/v1/orders/{order_id}/shipments", shipment).status_code == 201


def send(client: Any, source: str, body: bytes, headers: dict[str, str]) -> Any:
    return client.post(
        f"/v1/webhooks/{source}",
        headers={"Content-Type": "application/json", **headers},
        body=body,
    )


def shipment_of(client: Any, order_id: str = "1001") -> dict[str, Any]:
    order = body_of(client.get(f"/v1/orders/{order_id}", headers=MERCHANT))
    shipment: dict[str, Any] = order["shipments"][0]
    return shipment


def table_items(prefix: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(TEST_ENV["PK_TABLE_NAME"])
    items: list[dict[str, Any]] = table.scan()["Items"]
    return [i for i in items if i["PK"].startswith(prefix) or i["SK"].startswith(prefix)]


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_each_sender_is_verified_mapped_and_stored(client: Any, source: str) -> None:
    fixture, tracking_number, sign = SOURCES[source]
    given_order_shipped_with(client, tracking_number)
    body = senders.body_of(senders.fixture(fixture))

    response = send(client, source, body, sign(body))

    stored, status, code = EXPECTED[source]
    assert response.status_code == 200, response.body
    assert body_of(response)["accepted"] == stored
    shipment = shipment_of(client)
    assert shipment["status"] == status
    assert len(shipment["events"]) == stored
    assert shipment["events"][0]["carrier_status"] == code
    times = [e["occurred_at"] for e in shipment["events"]]
    assert times == sorted(times, key=datetime.fromisoformat, reverse=True)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_a_wrong_signature_is_401_and_stores_nothing(client: Any, source: str) -> None:
    fixture, tracking_number, _sign = SOURCES[source]
    given_order_shipped_with(client, tracking_number)
    body = senders.body_of(senders.fixture(fixture))
    signed_with_another_secret = {
        "generic": senders.generic_headers(body, "wrong", datetime.now(UTC)),
        "easypost": senders.easypost_headers(body, "wrong"),
        "aftership": senders.aftership_headers(body, "wrong"),
        "shippo": senders.shippo_headers(body, "wrong", datetime.now(UTC)),
        "17track": senders.seventeen_track_headers(body, "wrong"),
    }[source]

    wrong = send(client, source, body, signed_with_another_secret)
    missing = send(client, source, body, {})

    assert wrong.status_code == missing.status_code == 401
    assert body_of(wrong)["code"] == "invalid_signature"
    assert table_items("EVENT#") == []


def test_a_timestamp_older_than_five_minutes_is_401(client: Any) -> None:
    given_order_shipped_with(client, DHL)
    body = senders.body_of(senders.fixture("generic.json"))
    stale = datetime.now(UTC) - timedelta(minutes=6)

    response = send(client, "generic", body, senders.generic_headers(body, SECRET, stale))

    assert response.status_code == 401
    assert table_items("EVENT#") == []


def test_a_body_not_in_the_senders_format_is_422(client: Any) -> None:
    given_order_shipped_with(client, DHL)
    body = json.dumps({"events": [{"tracking": DHL, "state": "moving"}]}).encode()

    response = send(client, "generic", body, SOURCES["generic"][2](body))

    assert response.status_code == 422
    assert body_of(response)["errors"]
    assert table_items("EVENT#") == []


def test_an_unknown_source_is_422(client: Any) -> None:
    body = b'{"events": []}'

    response = send(client, "fedex-direct", body, {})

    assert response.status_code == 422
    assert body_of(response)["errors"][0]["loc"] == ["source"]


def test_unknown_tracking_numbers_are_reported_not_refused(client: Any) -> None:
    body = senders.body_of(senders.fixture("generic.json"))

    response = send(client, "generic", body, SOURCES["generic"][2](body))

    assert response.status_code == 200
    assert body_of(response) == {
        "accepted": 0,
        "duplicates": 0,
        "unknown_tracking_numbers": [DHL],
        "skipped": 0,
    }


def generic_event(n: int, status: str, at: datetime) -> dict[str, Any]:
    return {
        "event_id": f"evt-{n}",
        "carrier": "dhl",
        "tracking_number": DHL,
        "status": status,
        "occurred_at": at.isoformat(),
        "location": "Berlin",
        "carrier_status": f"C{n}",
    }


def post_generic(client: Any, events: list[dict[str, Any]]) -> Any:
    body = json.dumps({"events": events}).encode()
    return send(client, "generic", body, SOURCES["generic"][2](body))


def test_the_same_event_five_times_is_stored_once_and_announced_once(client: Any) -> None:
    given_order_shipped_with(client, DHL)
    event = generic_event(1, "in_transit", datetime(2026, 12, 22, 8, tzinfo=UTC))
    outbox_before = len(table_items("OUTBOX#"))

    answers = [body_of(post_generic(client, [event])) for _ in range(5)]

    assert [a["accepted"] for a in answers] == [1, 0, 0, 0, 0]
    assert [a["duplicates"] for a in answers] == [0, 1, 1, 1, 1]
    assert len(table_items("EVENT#")) == 1
    announced = len(table_items("OUTBOX#")) - outbox_before
    assert announced > 0  # the shipment moved: its change was announced once
    post_generic(client, [event])
    assert len(table_items("OUTBOX#")) - outbox_before == announced


DAY = [
    ("info_received", 6),
    ("in_transit", 9),
    ("in_transit", 13),
    ("in_transit", 18),
    ("out_for_delivery", 21),
    ("failed_attempt", 23),
]


def a_day_of_events() -> list[dict[str, Any]]:
    start = datetime(2026, 12, 22, tzinfo=UTC)
    return [generic_event(n, s, start + timedelta(hours=h)) for n, (s, h) in enumerate(DAY)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_shuffled_day_ends_in_the_same_state_and_timeline(client: Any, seed: int) -> None:
    given_order_shipped_with(client, DHL)
    events = a_day_of_events()
    random.Random(seed).shuffle(events)

    for event in events:
        assert post_generic(client, [event]).status_code == 200

    shipment = shipment_of(client)
    assert shipment["status"] == "failed_attempt"
    assert [e["event_id"] for e in shipment["events"]] == [f"evt-{n}" for n in range(5, -1, -1)]


def test_an_older_event_never_moves_the_status_back(client: Any) -> None:
    given_order_shipped_with(client, DHL)
    day = datetime(2026, 12, 22, tzinfo=UTC)

    post_generic(client, [generic_event(2, "delivered", day + timedelta(hours=15))])
    post_generic(client, [generic_event(1, "out_for_delivery", day + timedelta(hours=8))])

    shipment = shipment_of(client)
    assert shipment["status"] == "delivered"
    assert [e["status"] for e in shipment["events"]] == ["delivered", "out_for_delivery"]


def test_derived_order_status_and_promise_state_follow_the_events(client: Any) -> None:
    given_order_shipped_with(client, DHL)

    post_generic(client, [generic_event(1, "in_transit", datetime(2026, 12, 22, 8, tzinfo=UTC))])
    shipped = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    post_generic(client, [generic_event(2, "delivered", datetime(2026, 12, 23, 11, tzinfo=UTC))])
    delivered = body_of(client.get("/v1/orders/1001", headers=MERCHANT))

    assert shipped["status"] == "shipped"
    assert delivered["status"] == "delivered"
    assert delivered["promise"]["state"] == "kept"  # 23 Dec is within 22–23 Dec


def test_estimate_comes_from_the_carrier_or_else_from_the_methods_transit_rules(
    client: Any,
) -> None:
    given_order_shipped_with(client, DHL)
    scan = generic_event(1, "in_transit", datetime(2026, 12, 24, 9, tzinfo=UTC))
    post_generic(client, [scan])
    by_rules = shipment_of(client)["estimated_delivery"]

    with_estimate = {
        **generic_event(2, "in_transit", datetime(2026, 12, 24, 12, tzinfo=UTC)),
        "estimated_delivery": "2026-12-29",
    }
    post_generic(client, [with_estimate])

    assert by_rules == "2026-12-28"  # standard: 1 delivery day after Thu 24 Dec → Mon 28 Dec
    assert shipment_of(client)["estimated_delivery"] == "2026-12-29"


def test_carrier_events_keep_the_customer_on_the_order_and_off_the_tracking_copy(
    client: Any,
) -> None:
    given_order_shipped_with(client, DHL)
    post_generic(client, [generic_event(1, "in_transit", datetime(2026, 12, 22, 8, tzinfo=UTC))])

    (order,) = [i for i in table_items("ORDER#") if i["SK"] == "ORDER"]
    (copy,) = table_items("TRACKING#")
    assert order["record"]["customer"]["email"] == "anna@example.com"
    assert order["shipments"][0]["status"] == "in_transit"
    assert "customer" not in copy["record"]
    # The lane statistics need the postal code; the address stays on the order alone.
    kept = {k: v for k, v in copy["record"]["destination"].items() if v is not None}
    assert kept == {"country": "DE", "postal_code": "10115"}


def test_one_sources_own_secret_overrides_the_shared_one(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PK_WEBHOOK_SECRET_17TRACK", "seventeen-only")
    settings.reset_caches()
    fixture, tracking_number, _sign = SOURCES["17track"]
    given_order_shipped_with(client, tracking_number)
    body = senders.body_of(senders.fixture(fixture))

    shared = send(client, "17track", body, senders.seventeen_track_headers(body, SECRET))
    own = send(client, "17track", body, senders.seventeen_track_headers(body, "seventeen-only"))

    assert (shared.status_code, own.status_code) == (401, 200)
