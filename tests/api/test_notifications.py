"""The relay and the sender as Lambda calls them, on moto: what the customer hears, and when not."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from chalice.local import LambdaContext

from chalicelib import deps
from chalicelib.domain.outbox import OutboxMessage, QueuedNotification
from chalicelib.observability import metrics
from chalicelib.services.notifications import handle, retry_delay
from chalicelib.store import keys
from devstack.environment import REGION
from devstack.mailbox import sent_emails, sent_sms
from tests.api.conftest import app_under_test
from tests.api.factories import MERCHANT, body_of, current_order_body, post, shipment_body
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

DHL = "00340434161094042557"


def register(client: Any, order_id: str = "1001", **customer: Any) -> None:
    now = datetime.now(UTC)
    assert (
        post(client, "/v1/orders", current_order_body(now, order_id, **customer)).status_code == 201
    )


def ship(client: Any, order_id: str = "1001", shipment_id: str = "S1", **fields: Any) -> None:
    response = post(
        client, f"/v1/orders/{order_id}/shipments", shipment_body(shipment_id, **fields)
    )
    assert response.status_code == 201, response.body


def carrier_says(client: Any, status: str, minutes_ago: int, tracking: str = DHL) -> None:
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    event = {
        "event_id": f"{tracking}-{status}-{minutes_ago}",
        "carrier": "dhl",
        "tracking_number": tracking,
        "status": status,
        "occurred_at": at.isoformat(),
    }
    body = json.dumps({"events": [event]}).encode()
    headers = senders.generic_headers(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC))
    response = client.post(
        "/v1/webhooks/generic", headers={"Content-Type": "application/json", **headers}, body=body
    )
    assert response.status_code == 200, response.body


def order_of(client: Any, order_id: str = "1001") -> dict[str, Any]:
    answer: dict[str, Any] = body_of(client.get(f"/v1/orders/{order_id}", headers=MERCHANT))
    return answer


def sqs_record(message_id: str, body: str, receipt: str = "receipt", receives: int = 1) -> dict:
    return {
        "messageId": message_id,
        "receiptHandle": receipt,
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receives)},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:promise-keeper-notifications",
        "awsRegion": REGION,
    }


def confirmation(order_id: str = "1001") -> str:
    message = OutboxMessage(
        message_id=OutboxMessage.make_id("order_confirmed", order_id, None, "confirmed"),
        kind="order_confirmed",
        order_id=order_id,
        status="confirmed",
        occurred_at=datetime.now(UTC),
    )
    return QueuedNotification(message=message).model_dump_json()


def invoke_sender(records: list[dict[str, Any]]) -> Any:
    return app_under_test().handler_map["send_notifications"](
        {"Records": records}, lambda_context()
    )


def lambda_context() -> LambdaContext:
    return LambdaContext(function_name="test", memory_size=512, max_runtime_ms=60_000)


# -- the relay ---------------------------------------------------------------------------------
def stream_record(item: dict[str, Any], event_name: str = "INSERT", sequence: int = 1) -> dict:
    return {
        "eventID": f"e-{sequence}",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": {
            "Keys": {"PK": item["PK"], "SK": item["SK"]},
            "NewImage": item,
            "SequenceNumber": str(sequence),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def table_items(table: str, pk: str) -> list[dict[str, Any]]:
    return list(
        boto3.client("dynamodb").query(
            TableName=table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
        )["Items"]
    )


def invoke_relay(records: list[dict[str, Any]]) -> Any:
    return app_under_test().handler_map["relay_outbox"]({"Records": records}, lambda_context())


def queued_messages(aws: dict[str, Any]) -> list[MessageTypeDef]:
    answer = boto3.client("sqs").receive_message(
        QueueUrl=aws["queue_urls"]["NotificationsQueue"],
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
    )
    return list(answer.get("Messages", []))


def test_the_relay_enqueues_each_new_outbox_record_and_ignores_other_changes(
    client: Any, aws: dict[str, Any]
) -> None:
    register(client)
    (outbox,) = table_items(aws["table"], "OUTBOX#1001")
    (order,) = table_items(aws["table"], "ORDER#1001")

    answer = invoke_relay(
        [
            stream_record(order, "INSERT", 1),
            stream_record(outbox, "INSERT", 2),
            stream_record(outbox, "REMOVE", 3),  # expired by TTL: not news
        ]
    )

    assert answer == {"enqueued": 1, "unreadable": 0}
    (queued,) = queued_messages(aws)
    body = QueuedNotification.model_validate_json(queued["Body"])
    assert (body.message.kind, body.message.order_id, body.channels) == (
        "order_confirmed",
        "1001",
        None,
    )
    assert queued["MessageAttributes"]["kind"]["StringValue"] == "order_confirmed"


def test_an_unreadable_outbox_record_is_skipped_not_retried_forever(aws: dict[str, Any]) -> None:
    broken = {"PK": {"S": "OUTBOX#1001"}, "SK": {"S": "broken#1"}, "message": {"S": "{}"}}
    assert invoke_relay([stream_record(broken)]) == {"enqueued": 0, "unreadable": 1}
    assert queued_messages(aws) == []


# -- the sender --------------------------------------------------------------------------------
def test_one_bad_message_in_a_batch_is_the_only_failure_reported(client: Any) -> None:
    register(client, "1001")
    register(client, "1002")
    answer = invoke_sender(
        [
            sqs_record("m-1", confirmation("1001")),
            sqs_record("m-2", '{"message": {"kind": "gossip"}}'),
            sqs_record("m-3", confirmation("1002")),
        ]
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert len(sent_emails(REGION)) == 2


def test_a_message_for_an_unknown_order_fails_for_the_dead_letter_queue(client: Any) -> None:
    register(client, "1001")
    answer = invoke_sender(
        [sqs_record("m-1", confirmation("9999")), sqs_record("m-2", confirmation())]
    )
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


def test_the_same_message_delivered_twice_sends_one_email(client: Any) -> None:
    register(client)
    invoke_sender([sqs_record("m-1", confirmation())])
    invoke_sender([sqs_record("m-1", confirmation())])
    invoke_sender([sqs_record("m-9", confirmation())])  # the stream replayed the outbox record

    assert [m.subject for m in sent_emails(REGION)] == ["Danke für deine Bestellung 1001"]
    notes = order_of(client)["notifications"]
    assert [(n["type"], n["channel"]) for n in notes] == [("order_confirmed", "email")]
    assert notes[0]["provider_message_id"] == sent_emails(REGION)[0].message_id


def test_english_customers_are_written_to_in_english(client: Any) -> None:
    register(client, locale="en-GB")
    invoke_sender([sqs_record("m-1", confirmation())])
    (email,) = sent_emails(REGION)
    assert email.language == "en"
    assert "Anna Schmidt" in email.text
    assert "1001" in email.subject and "Bestellung" not in email.subject


def test_a_customer_without_email_is_skipped_with_the_reason_on_the_order(client: Any) -> None:
    register(client, email=None)
    assert invoke_sender([sqs_record("m-1", confirmation())]) == {"batchItemFailures": []}

    order = order_of(client)
    assert sent_emails(REGION) == []
    assert order["notifications"] == []
    assert [(s["type"], s["channel"], s["reason"]) for s in order["skipped_notifications"]] == [
        ("order_confirmed", "email", "no_email")
    ]


def test_an_sms_at_night_waits_on_the_queue_until_morning(client: Any, aws: dict[str, Any]) -> None:
    register(client, time_zone="Europe/Berlin")
    ship(client)
    carrier_says(client, "out_for_delivery", 10)
    night = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    ctx = deps.notification_context()
    ctx = replace(ctx, orders=replace(ctx.orders, now=lambda: night))
    message = OutboxMessage(
        message_id=OutboxMessage.make_id("shipment_status", "1001", "S1", "out_for_delivery"),
        kind="shipment_status",
        order_id="1001",
        shipment_id="S1",
        status="out_for_delivery",
        previous=None,
        occurred_at=night,
    )

    enqueued: list[dict[str, Any]] = []
    events = deps.sqs().meta.events  # what the sender asks of SQS, as sent

    def record(params: dict[str, Any], **_: Any) -> None:
        enqueued.append(params)

    events.register("provide-client-params.sqs.SendMessage", record)
    try:
        report = handle(ctx, QueuedNotification(message=message))
    finally:
        events.unregister("provide-client-params.sqs.SendMessage", record)

    assert (report.sent, report.deferred) == (["email"], ["sms"])
    assert sent_sms(REGION) == []
    (copy,) = enqueued
    assert copy["DelaySeconds"] == 900  # SQS's longest delay; 08:00 is hours away
    waiting = QueuedNotification.model_validate_json(copy["MessageBody"])
    assert waiting == QueuedNotification(message=message, channels=("sms",))
    delayed = boto3.client("sqs").receive_message(
        QueueUrl=aws["queue_urls"]["NotificationsQueue"], MaxNumberOfMessages=10
    )
    assert "Messages" not in delayed  # held back by its delay
    # Each hop re-plans; the one that arrives after 08:00 Berlin sends the SMS, and only it.
    dawn = datetime(2026, 11, 26, 6, 50, tzinfo=UTC)  # 07:50 in Berlin
    ctx = replace(ctx, orders=replace(ctx.orders, now=lambda: dawn))
    assert handle(ctx, waiting).deferred == ["sms"]
    morning = datetime(2026, 11, 26, 7, 0, 5, tzinfo=UTC)  # 08:00:05 in Berlin
    ctx = replace(ctx, orders=replace(ctx.orders, now=lambda: morning))
    later = handle(ctx, waiting)
    assert (later.sent, later.deferred) == (["sms"], [])
    assert len(sent_sms(REGION)) == 1 and len(sent_emails(REGION)) == 1


def test_throttled_email_is_retried_later_and_sent_once(client: Any, aws: dict[str, Any]) -> None:
    register(client)
    sqs = boto3.client("sqs")
    queue = aws["queue_urls"]["NotificationsQueue"]
    sqs.send_message(QueueUrl=queue, MessageBody=confirmation())
    # Received visible again at once: only the sender's backoff can hide it now.
    (received,) = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"], VisibilityTimeout=0)[
        "Messages"
    ]
    record = sqs_record(received["MessageId"], received["Body"], received["ReceiptHandle"])

    def throttled(**_: Any) -> None:
        raise ClientError(
            {
                "Error": {"Code": "TooManyRequestsException", "Message": "Maximum sending rate"},
                "ResponseMetadata": {
                    "RequestId": "req-1",
                    "HostId": "",
                    "HTTPStatusCode": 429,
                    "HTTPHeaders": {},
                    "RetryAttempts": 0,
                },
            },
            "SendEmail",
        )

    ses = deps.sender_for("email")._client  # type: ignore[attr-defined]
    ses.meta.events.register("before-call.sesv2.SendEmail", throttled)
    try:
        answer = invoke_sender([record])
    finally:
        ses.meta.events.unregister("before-call.sesv2.SendEmail", throttled)

    assert answer == {"batchItemFailures": [{"itemIdentifier": received["MessageId"]}]}
    assert sent_emails(REGION) == []
    # Hidden for the backoff, not for the queue's default visibility timeout.
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    assert order_of(client)["notifications"] == []  # the claim was released
    assert invoke_sender([record]) == {"batchItemFailures": []}
    assert len(sent_emails(REGION)) == 1


def test_retry_delays_double_from_thirty_seconds_up_to_fifteen_minutes() -> None:
    assert [retry_delay(n) for n in range(1, 8)] == [30, 60, 120, 240, 480, 900, 900]


def test_a_claim_in_flight_is_not_sent_twice(client: Any, aws: dict[str, Any]) -> None:
    register(client)
    # Another delivery of the same message is sending right now: its claim holds the lease.
    boto3.client("dynamodb").put_item(
        TableName=aws["table"],
        Item={
            **{
                k: {"S": v}
                for k, v in keys.notification_key("1001", "1001#-#order_confirmed#email").items()
            },
            "state": {"S": "claimed"},
            "claim_token": {"S": "other"},
            "claimed_until": {"N": str(int(datetime.now(UTC).timestamp()) + 60)},
        },
    )
    answer = invoke_sender([sqs_record("m-1", confirmation())])
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert sent_emails(REGION) == []


def test_an_unprocessable_message_raises_a_metric(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    invoke_sender([sqs_record("m-1", "not json at all")])

    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    names = {
        metric["Name"]
        for blob in emitted
        for directive in blob["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    }
    assert "NotificationMessagesUnprocessable" in names
    (blob,) = [b for b in emitted if "NotificationMessagesUnprocessable" in b]
    assert blob["NotificationMessagesUnprocessable"] in (1.0, [1.0])  # one, in either EMF shape


def test_metrics_that_are_not_published_do_not_pile_up(client: Any) -> None:
    # POWERTOOLS_METRICS_DISABLED (the test and local environment): nothing is kept either.
    invoke_sender([sqs_record("m-1", "not json at all")])
    assert metrics.metric_set == {}


def test_a_record_without_enough_time_left_is_handed_back_unsent(client: Any) -> None:
    register(client)
    handler = app_under_test().handler_map["send_notifications"]
    almost_over = LambdaContext(function_name="test", memory_size=512, max_runtime_ms=10_000)

    answer = handler({"Records": [sqs_record("m-1", confirmation())]}, almost_over)

    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert sent_emails(REGION) == []
    assert order_of(client)["notifications"] == []
