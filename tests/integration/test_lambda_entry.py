"""What Lambda runs, run the way Lambda runs it: a fresh process imports the module that the
packaged template's Handler names, takes the attribute and calls it with an event of the
function's source. The app's middleware must be there (chalice issue #1566): the logger's
Lambda context on every log line and the function's business metrics flushed as EMF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.packaging import template

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("package")]
ROOT = Path(__file__).resolve().parents[2]

# The Lambda runtime's part: import the Handler's module, get its attribute, call it.
INVOKE = """
import importlib, json, sys

class Context:
    function_name = sys.argv[3]
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:" + function_name
    aws_request_id = "lambda-request-1"

    def get_remaining_time_in_millis(self):
        return 60_000

module, attribute = sys.argv[1].rsplit(".", 1)
handler = getattr(importlib.import_module(module), attribute)
print(json.dumps({"answer": handler(json.loads(sys.argv[2]), Context())}))
"""

SQS_RECORD = {
    "messageId": "m-1",
    "receiptHandle": "r-1",
    "body": "not a notification",
    "attributes": {"ApproximateReceiveCount": "1"},
    "messageAttributes": {},
    "md5OfBody": "",
    "eventSource": "aws:sqs",
    "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:promise-keeper-notifications",
    "awsRegion": "eu-central-1",
}
# An outbox record and a fact that cannot be read: the stream functions log them and go on.
UNREADABLE_INSERTS = [
    {
        "eventID": f"e-{n}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"PK": {"S": pk}, "SK": {"S": "1"}},
            "NewImage": {"PK": {"S": pk}, "SK": {"S": "1"}},
            "SequenceNumber": str(n),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    for n, pk in enumerate(("OUTBOX#lambda-entry", "FACT#lambda-entry"), start=1)
]
SCHEDULED = {
    "version": "0",
    "id": "e-1",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-12-23T16:30:00Z",
    "region": "eu-central-1",
    "resources": ["arn:aws:events:eu-central-1:123456789012:rule/sweep"],
    "detail": {},
}
# One event per kind of source, and the metric each function records for it.
EVENTS: dict[str, dict[str, Any]] = {
    "DynamoDB": {"Records": UNREADABLE_INSERTS},
    "SQS": {"Records": [SQS_RECORD]},
    "Schedule": SCHEDULED,
}
METRICS = {
    "RelayOutbox": "OutboxMessagesRelayed",
    "ProjectCounters": "FactsCounted",
    "SendNotifications": "NotificationMessagesUnprocessable",
    "SweepDueOrders": "OrdersReevaluatedBySchedule",
    "SendRatingReminders": "RatingRemindersQueued",
}


def event_functions() -> dict[str, tuple[str, str]]:
    """Each function with an event source: its Handler and the kind of its source."""
    return {
        name: (
            resource["Properties"]["Handler"],
            next(iter(resource["Properties"]["Events"].values()))["Type"],
        )
        for name, resource in template("prod")["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function" and resource["Properties"].get("Events")
    }


def invoke_as_lambda(handler: str, event: dict[str, Any], function: str) -> list[dict[str, Any]]:
    environment = {
        **os.environ,
        "POWERTOOLS_METRICS_DISABLED": "false",
    }
    done = subprocess.run(
        [sys.executable, "-c", INVOKE, handler, json.dumps(event), function],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_every_packaged_event_function_is_checked_here() -> None:
    # A new event function adds its metric above, and so is run as Lambda runs it.
    assert set(event_functions()) == set(METRICS)


@pytest.mark.parametrize("function", sorted(METRICS))
def test_an_event_function_runs_in_lambda_with_the_app_middleware(
    function: str, embedded_aws: dict[str, Any]
) -> None:
    # Given the Handler string of the packaged template and an event of the function's source
    handler, source = event_functions()[function]

    # When a fresh process enters through it, as Lambda does
    lines = invoke_as_lambda(handler, EVENTS[source], f"promise-keeper-prod-{function}")

    # Then the log-keys middleware put the Lambda context on the function's log lines
    logs = [line for line in lines if "level" in line]
    assert logs, lines
    assert {log["function_name"] for log in logs} == {f"promise-keeper-prod-{function}"}
    assert {log["function_request_id"] for log in logs} == {"lambda-request-1"}
    # And the metrics middleware flushed the function's business metric as EMF
    (emf,) = [line for line in lines if "_aws" in line]
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "PromiseKeeper"
    assert METRICS[function] in {metric["Name"] for metric in directive["Metrics"]}
    # And the handler answered
    assert "answer" in lines[-1]
