"""`make run`'s log says how far behind the event pump is, and when it has caught up."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from chalice import Chalice
from chalice.app import DynamoDBEvent, SQSEvent

from devstack.environment import REGION
from devstack.lag import LagReport
from devstack.pump import EventPump

pytestmark = pytest.mark.integration


def test_the_lag_line_names_each_source_and_the_age_of_its_oldest_record() -> None:
    clock = iter([1000.0, 1004.0, 1020.0]).__next__
    report = LagReport(every=10.0, clock=clock)
    logged: list[str] = []
    report.observe("stream", [datetime.fromtimestamp(997.5, UTC), 999.0])
    report.observe("promise-keeper-notifications", [998.0])

    report.report(busy=3, log=logged.append)  # busy: a line at once
    report.observe("stream", [1003.0])
    report.report(busy=1, log=logged.append)  # 4 s later: not yet another line
    report.report(busy=0, log=logged.append)  # idle again

    assert logged == [
        "[pump] lag (oldest record handed over): promise-keeper-notifications 2.0 s, "
        "stream 2.5 s; handled 1 from promise-keeper-notifications, 2 from stream",
        "[pump] caught up: handled 1 from stream",
    ]


def test_the_running_pump_logs_its_lag_while_busy_and_when_caught_up(
    embedded_aws: dict[str, Any],
) -> None:
    app = Chalice(app_name="lag-probe")

    @app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:local:table/stream")
    def on_record(event: DynamoDBEvent) -> None:
        del event

    @app.on_sqs_message(queue="promise-keeper-notifications")
    def on_message(event: SQSEvent) -> None:
        del event

    logged: list[str] = []
    pump = EventPump.connected(app, embedded_aws["table"], REGION, log=logged.append)
    boto3.resource("dynamodb").Table(embedded_aws["table"]).put_item(Item={"PK": "A", "SK": "B"})
    stop = threading.Event()
    runner = threading.Thread(target=pump.run_forever, args=(stop, 0.05))
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while not any("caught up" in line for line in logged) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        runner.join(timeout=10)

    assert any(
        line.startswith("[pump] lag (oldest record handed over): on_record ") for line in logged
    )
    assert logged[-1] == "[pump] caught up"
