"""Outbox → stream → relay → SQS → sender → SES/SNS, over HTTP against the embedded AWS.

Every carrier event is delivered twice and out of order; the customer still hears each milestone
exactly once, in German, by e-mail, and by SMS only for "out for delivery".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import EndpointConnectionError

from chalicelib import deps
from devstack.environment import REGION
from devstack.mailbox import SentEmail, sent_emails, sent_sms
from devstack.pump import EventPump
from tests.api.factories import MERCHANT, current_order_body, shipment_body
from tests.integration.conftest import merchant_post, post_carrier_events

pytestmark = pytest.mark.integration
DHL = "00340434161094042557"
ALL_DELIVERED = "Alle Pakete deiner Bestellung 1001 sind angekommen"


def register_order(api: str, now: datetime) -> None:
    merchant_post(api, "/v1/orders", current_order_body(now))
    merchant_post(api, "/v1/orders/1001/shipments", shipment_body())


def carrier_event(event_id: str, status: str, occurred_at: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "carrier": "dhl",
        "tracking_number": DHL,
        "status": status,
        "occurred_at": occurred_at.isoformat(),
        "location": "Berlin",
    }


def post_events(api: str, *events: dict[str, Any]) -> None:
    post_carrier_events(api, *events)


def emails() -> list[SentEmail]:
    return sent_emails(REGION)


def test_each_milestone_reaches_the_customer_once_in_german(api: str, pump: EventPump) -> None:
    now = datetime.now(UTC)
    register_order(api, now)
    pump.drain()

    first, second = (
        carrier_event("evt-1", "in_transit", now - timedelta(hours=6)),
        carrier_event("evt-2", "in_transit", now - timedelta(hours=4)),
    )
    # The later scan first, then the earlier one; each twice.
    post_events(api, second, second)
    post_events(api, first, first)
    pump.drain()
    on_the_van = carrier_event("evt-3", "out_for_delivery", now - timedelta(hours=2))
    post_events(api, on_the_van)
    post_events(api, on_the_van, second)
    pump.drain()
    arrived = carrier_event("evt-4", "delivered", now - timedelta(minutes=30))
    post_events(api, arrived, on_the_van, arrived, first)
    pump.drain()
    # The stream hands every record again (as Lambda may after a failure): nothing new goes out.
    pump.rewind_streams()
    pump.drain()

    assert [m.subject for m in emails()] == [
        "Danke für deine Bestellung 1001",
        "Deine Bestellung 1001 ist unterwegs",
        "Deine Bestellung 1001 kommt heute",
        "Deine Bestellung 1001 ist angekommen",
    ]
    assert [m.language for m in emails()] == ["de"] * 4
    assert all(m.to == ["anna@example.com"] for m in emails())
    assert all("Anna" in m.text and "Anna" in m.html for m in emails())
    assert all("/v1/pages/orders/1001?token=" in m.text for m in emails())
    sms = sent_sms(REGION)
    assert [s.to for s in sms] == ["+4915112345678"]
    # The shop's words alone: nothing the customer typed goes out under the sender id
    assert sms[0].text.startswith("Dein Paket kommt heute mit DHL.")
    assert "Anna" not in sms[0].text

    order = requests.get(f"{api}/v1/orders/1001", headers=MERCHANT, timeout=30).json()
    assert order["status"] == "delivered"
    recorded = sorted((n["type"], n["channel"]) for n in order["notifications"])
    assert recorded == [
        ("delivered", "email"),
        ("order_confirmed", "email"),
        ("out_for_delivery", "email"),
        ("out_for_delivery", "sms"),
        ("shipped", "email"),
    ]
    provider_ids = {n["provider_message_id"] for n in order["notifications"]}
    assert {m.message_id for m in emails()} | {s.message_id for s in sms} == provider_ids


def test_make_mail_reads_what_the_embedded_aws_sent(
    api: str, pump: EventPump, embedded_aws: dict[str, Any]
) -> None:
    register_order(api, datetime.now(UTC))
    pump.drain()

    box = requests.get(f"{embedded_aws['endpoint']}/_devstack/mailbox", timeout=10).json()

    (sent,) = box["emails"]
    assert (sent["to"], sent["language"]) == (["anna@example.com"], "de")
    assert sent["subject"] == "Danke für deine Bestellung 1001"
    assert "Hallo Anna Schmidt" in sent["text"] and "<html" in sent["html"]
    assert box["sms"] == []


def test_a_bad_message_fails_alone_and_only_it_is_retried(
    api: str, pump: EventPump, embedded_aws: dict[str, Any]
) -> None:
    sqs = boto3.client("sqs")
    queue_url = embedded_aws["queue_urls"]["NotificationsQueue"]
    # A failed message comes back at once instead of after two minutes.
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "0"})
    register_order(api, datetime.now(UTC))
    (relay,) = [c for c in app_sources(pump) if c.name == "relay_outbox"]
    (sender,) = [c for c in app_sources(pump) if c.name == "send_notifications"]
    pump.pump_stream(relay)  # the order's confirmation is now on the queue
    bad = sqs.send_message(QueueUrl=queue_url, MessageBody='{"message": {"kind": "gossip"}}')

    assert pump.pump_queue(sender) == 2  # one batch: the confirmation and the bad message
    assert len(emails()) == 1
    assert waiting(sqs, queue_url) == 1  # the good one was deleted, the bad one stays

    # Only the bad message comes back, four more times; the confirmation is not sent again.
    for _ in range(4):
        assert pump.pump_queue(sender) == 1
    assert len(emails()) == 1

    # After five receives SQS moves it to the dead-letter queue.
    assert pump.pump_queue(sender) == 0
    assert waiting(sqs, queue_url) == 0
    dlq_url = embedded_aws["queue_urls"]["NotificationsDeadLetterQueue"]
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [m["MessageId"] for m in dead] == [bad["MessageId"]]


def test_the_relay_delivers_once_sqs_is_back(api: str, pump: EventPump) -> None:
    relay_sqs = deps.sqs()  # the client the relay and the sender send with

    def sqs_is_down(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://sqs.eu-central-1.amazonaws.com")

    relay_sqs.meta.events.register("before-call.sqs.SendMessageBatch", sqs_is_down)
    try:
        register_order(api, datetime.now(UTC))
        pump.drain()
        pump.drain()  # the stream offers the same batch again; SQS still refuses it
        assert emails() == []
    finally:
        relay_sqs.meta.events.unregister("before-call.sqs.SendMessageBatch", sqs_is_down)

    pump.drain()
    assert [m.subject for m in emails()] == [emails()[0].subject]
    assert "1001" in emails()[0].subject


def app_sources(pump: EventPump) -> list[Any]:
    return list(pump.app.event_sources)


def waiting(sqs: Any, queue_url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[name]) for name in names)


def test_a_split_order_hears_of_each_parcel_and_once_of_all_delivered(
    api: str, pump: EventPump
) -> None:
    now = datetime.now(UTC)
    merchant_post(api, "/v1/orders", current_order_body(now))
    second = "00340434161094042558"
    parcels = [
        shipment_body(items=[{"sku": "TSHIRT-M", "quantity": 2}]),
        shipment_body("S2", tracking_number=second, items=[{"sku": "MUG-BLUE", "quantity": 1}]),
    ]
    for parcel in parcels:
        merchant_post(api, "/v1/orders/1001/shipments", parcel)
    for event_id, status, hours_ago, tracking in [
        ("a", "in_transit", 5, DHL),
        ("b", "in_transit", 4, second),
        ("c", "delivered", 2, DHL),
        ("d", "delivered", 1, second),
    ]:
        event = carrier_event(event_id, status, now - timedelta(hours=hours_ago))
        post_events(api, {**event, "tracking_number": tracking})
        pump.drain()

    assert [m.subject for m in emails()] == [
        "Danke für deine Bestellung 1001",
        "Paket 1 von 2 deiner Bestellung 1001 ist unterwegs",
        "Paket 2 von 2 deiner Bestellung 1001 ist unterwegs",
        "Paket 1 von 2 deiner Bestellung 1001 ist angekommen",
        ALL_DELIVERED,
    ]
    assert sent_sms(REGION) == []  # neither departures nor arrivals are SMS news
