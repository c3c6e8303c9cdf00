"""The local event pump delivers what Lambda's event sources would, to the registered handlers."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from chalice import Chalice, Rate
from chalice.app import DynamoDBEvent, SQSEvent

from devstack.environment import REGION
from devstack.pump import EventPump, schedule_seconds

pytestmark = pytest.mark.integration
QUEUE = "promise-keeper-notifications"


def probe_app(seen: dict[str, list[Any]]) -> Chalice:
    app = Chalice(app_name="pump-probe")

    @app.on_sqs_message(queue=QUEUE, batch_size=10)
    def on_message(event: SQSEvent) -> dict[str, Any]:
        failures = []
        for record in event:
            if record.body == "poison":
                failures.append({"itemIdentifier": record.to_dict()["messageId"]})
            else:
                seen["sqs"].append(record.body)
        return {"batchItemFailures": failures}

    @app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:local:table/stream")
    def on_record(event: DynamoDBEvent) -> None:
        for record in event:
            seen["stream"].append((record.event_name, record.new_image["PK"]["S"]))

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def every_five_minutes(event: Any) -> None:
        seen["schedule"].append(event.to_dict()["detail-type"])

    return app


@pytest.fixture
def pump_and_seen(embedded_aws: dict[str, Any]) -> tuple[EventPump, dict[str, list[Any]]]:
    seen: dict[str, list[Any]] = {"sqs": [], "stream": [], "schedule": []}
    pump = EventPump.connected(probe_app(seen), embedded_aws["table"], REGION, log=lambda _: None)
    return pump, seen


def test_sqs_messages_reach_the_handler_and_failures_stay_queued(
    pump_and_seen: tuple[EventPump, dict[str, list[Any]]], embedded_aws: dict[str, Any]
) -> None:
    pump, seen = pump_and_seen
    sqs = boto3.client("sqs")
    url = embedded_aws["queue_urls"]["NotificationsQueue"]
    for body in ("one", "poison", "two"):
        sqs.send_message(QueueUrl=url, MessageBody=body)

    pump.drain()

    assert sorted(seen["sqs"]) == ["one", "two"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    # Only the failed message is left (in flight until its visibility timeout ends).
    assert attrs["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert attrs["ApproximateNumberOfMessages"] == "0"


def test_stream_records_reach_the_handler_in_order(
    pump_and_seen: tuple[EventPump, dict[str, list[Any]]], embedded_aws: dict[str, Any]
) -> None:
    pump, seen = pump_and_seen
    table = boto3.resource("dynamodb").Table(embedded_aws["table"])
    table.put_item(Item={"PK": "ORDER#1", "SK": "A"})
    table.put_item(Item={"PK": "ORDER#2", "SK": "A"})

    pump.drain()
    table.put_item(Item={"PK": "ORDER#3", "SK": "A"})
    pump.drain()

    assert seen["stream"] == [("INSERT", "ORDER#1"), ("INSERT", "ORDER#2"), ("INSERT", "ORDER#3")]


def test_schedules_fire_at_their_rate(
    pump_and_seen: tuple[EventPump, dict[str, list[Any]]],
) -> None:
    pump, seen = pump_and_seen

    pump.run_once(now=1000.0)
    pump.run_once(now=1100.0)  # 100 s later: not due yet
    pump.run_once(now=1300.0)  # 300 s later: due again

    assert seen["schedule"] == ["Scheduled Event", "Scheduled Event"]


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [(Rate(1, unit=Rate.MINUTES), 60), ("rate(2 hours)", 7200), ("cron(0 8 * * ? *)", 60)],
)
def test_schedule_expressions(expression: Any, seconds: float) -> None:
    assert schedule_seconds(expression) == seconds


def test_sqs_message_body_is_passed_verbatim(
    pump_and_seen: tuple[EventPump, dict[str, list[Any]]], embedded_aws: dict[str, Any]
) -> None:
    pump, seen = pump_and_seen
    body = json.dumps({"kind": "order_confirmed", "order_id": "1001"})
    boto3.client("sqs").send_message(
        QueueUrl=embedded_aws["queue_urls"]["NotificationsQueue"], MessageBody=body
    )

    pump.drain()

    assert seen["sqs"] == [body]


def two_readers(seen: dict[str, list[str]], failing: set[str]) -> Chalice:
    """Two stream handlers; one raises while its name is in `failing`."""
    app = Chalice(app_name="two-readers")

    @app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:local:table/stream", name="first")
    def first(event: DynamoDBEvent) -> None:
        seen["first"] += [record.new_image["PK"]["S"] for record in event]

    @app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:local:table/stream", name="second")
    def second(event: DynamoDBEvent) -> None:
        if "second" in failing:
            raise RuntimeError("downstream unavailable")
        seen["second"] += [record.new_image["PK"]["S"] for record in event]

    return app


def test_every_stream_handler_reads_the_whole_stream(embedded_aws: dict[str, Any]) -> None:
    # Two event source mappings on one stream each keep their own position, as in Lambda.
    seen: dict[str, list[str]] = {"first": [], "second": []}
    app = two_readers(seen, failing=set())

    pump = EventPump.connected(app, embedded_aws["table"], REGION, log=lambda _: None)
    table = boto3.resource("dynamodb").Table(embedded_aws["table"])
    table.put_item(Item={"PK": "ORDER#1", "SK": "A"})
    table.put_item(Item={"PK": "ORDER#2", "SK": "A"})

    pump.drain()

    assert seen == {"first": ["ORDER#1", "ORDER#2"], "second": ["ORDER#1", "ORDER#2"]}
