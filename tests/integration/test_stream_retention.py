"""The embedded AWS forgets stream records every stream handler has read, as DynamoDB Streams
does after 24 h, and shard iterators after 15 minutes; the pump still delivers everything."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodbstreams.models import dynamodbstreams_backends

from devstack.environment import REGION
from devstack.mailbox import sent_emails
from devstack.pump import EventPump
from devstack.stream_retention import ITERATOR_LIFETIME_SECONDS, StreamRetention
from tests.api.factories import MERCHANT, current_order_body
from tests.integration.test_event_pump import two_readers

pytestmark = pytest.mark.integration


def put_orders(table_name: str, *keys: str) -> None:
    table = boto3.resource("dynamodb").Table(table_name)
    for key in keys:
        table.put_item(Item={"PK": key, "SK": "A"})


@pytest.fixture
def retention(embedded_aws: dict[str, Any]) -> StreamRetention:
    return StreamRetention(embedded_aws["table"], REGION)


def test_records_every_handler_has_read_are_dropped_and_later_ones_still_delivered(
    embedded_aws: dict[str, Any], retention: StreamRetention
) -> None:
    seen: dict[str, list[str]] = {"first": [], "second": []}
    pump = EventPump.connected(two_readers(seen, set()), embedded_aws["table"], REGION)
    pump.retention = retention
    put_orders(embedded_aws["table"], "ORDER#1", "ORDER#2", "ORDER#3")
    pump.drain()

    assert pump.release_read_records() == 3
    assert retention.records_held() == 0

    put_orders(embedded_aws["table"], "ORDER#4", "ORDER#5")
    pump.drain()
    pump.rewind_streams()  # a fresh TRIM_HORIZON reader sees only what was kept
    pump.drain()

    expected = ["ORDER#1", "ORDER#2", "ORDER#3", "ORDER#4", "ORDER#5", "ORDER#4", "ORDER#5"]
    assert seen == {"first": expected, "second": expected}


def test_a_failing_handler_keeps_its_records_until_it_succeeds(
    embedded_aws: dict[str, Any], retention: StreamRetention
) -> None:
    seen: dict[str, list[str]] = {"first": [], "second": []}
    failing = {"second"}
    pump = EventPump.connected(
        two_readers(seen, failing), embedded_aws["table"], REGION, log=lambda _: None
    )
    pump.retention = retention
    put_orders(embedded_aws["table"], "ORDER#1")
    failing.clear()
    pump.drain()
    failing.add("second")
    put_orders(embedded_aws["table"], "ORDER#2", "ORDER#3")
    pump.drain()

    assert pump.release_read_records() == 1  # only ORDER#1 has been handled by both
    assert retention.records_held() == 2

    failing.clear()
    pump.drain()

    assert seen["second"] == ["ORDER#1", "ORDER#2", "ORDER#3"]
    assert pump.release_read_records() == 2
    assert retention.records_held() == 0


def test_nothing_is_dropped_before_every_handler_has_read(
    embedded_aws: dict[str, Any], retention: StreamRetention
) -> None:
    seen: dict[str, list[str]] = {"first": [], "second": []}
    pump = EventPump.connected(
        two_readers(seen, {"second"}), embedded_aws["table"], REGION, log=lambda _: None
    )
    pump.retention = retention
    put_orders(embedded_aws["table"], "ORDER#1", "ORDER#2")
    pump.drain()

    assert pump.release_read_records() == 0
    assert retention.records_held() == 2


def test_shard_iterators_expire_after_fifteen_minutes_save_those_in_use(
    embedded_aws: dict[str, Any],
) -> None:
    now = [0.0]
    retention = StreamRetention(embedded_aws["table"], REGION, clock=lambda: now[0])
    seen: dict[str, list[str]] = {"first": [], "second": []}
    pump = EventPump.connected(two_readers(seen, set()), embedded_aws["table"], REGION)
    pump.retention = retention
    put_orders(embedded_aws["table"], "ORDER#1")
    for _ in range(5):
        pump.drain()
    iterators = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION].shard_iterators
    pump.release_read_records()
    issued = len(iterators)

    now[0] = ITERATOR_LIFETIME_SECONDS
    pump.release_read_records()

    assert issued > 2
    assert len(iterators) == 2  # the next read of each handler
    put_orders(embedded_aws["table"], "ORDER#2")
    pump.drain()
    assert seen["first"] == ["ORDER#1", "ORDER#2"]


def test_after_orders_the_stream_holds_nothing_read_and_every_confirmation_went_out(
    api: str, pump: EventPump, embedded_aws: dict[str, Any]
) -> None:
    pump.retention = StreamRetention(embedded_aws["table"], REGION)
    now = datetime.now(UTC)
    for order_id in ("1001", "1002", "1003"):
        body = json.dumps(current_order_body(now, order_id=order_id))
        response = requests.post(f"{api}/v1/orders", data=body, headers=MERCHANT, timeout=30)
        response.raise_for_status()
        pump.drain()
        assert pump.release_read_records() > 0

    assert pump.retention.records_held() == 0
    subjects = sorted(m.subject for m in sent_emails(REGION))
    assert subjects == [f"Danke für deine Bestellung {n}" for n in ("1001", "1002", "1003")]
