"""A function killed mid-batch and the event pump killed mid-stream, for real: the pump runs in a
process of its own (tests/integration/pump_process.py), the embedded AWS holds one of its calls
(devstack/faults.py), and the test kills the process while it waits, as Lambda ends a function
that timed out or ran out of memory. What a fresh start then does: nothing accepted is lost,
nothing is sent twice.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from devstack.environment import REGION
from devstack.faults import FAULTS, Fault
from devstack.mailbox import sent_emails
from devstack.pump import EventPump
from tests.api.conftest import app_under_test
from tests.api.factories import current_order_body
from tests.conftest import TEST_ENV
from tests.integration.conftest import merchant_post
from tests.integration.test_faults import time_passes_for_the_queue

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pump_process(embedded_aws: dict[str, object]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.pump_process"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)


def confirmations() -> Counter[str]:
    return Counter(m.subject for m in sent_emails(REGION))


def confirmed(*order_ids: str) -> Counter[str]:
    return Counter({f"Danke für deine Bestellung {o}": 1 for o in order_ids})


def register(api: str, *order_ids: str) -> None:
    for order_id in order_ids:
        merchant_post(api, "/v1/orders", current_order_body(datetime.now(UTC), order_id))


def wait_for(condition: Callable[[], bool], seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the pump process did not get there"
        time.sleep(0.1)


def kill(process: subprocess.Popen[str]) -> None:
    process.kill()  # SIGKILL: no handler runs, no answer is given
    process.wait(timeout=30)
    FAULTS.clear()  # the held call is answered now, to a caller that is gone


def the_leases_run_out() -> None:
    """Claims of a killed sender expire (CLAIM_LEASE_SECONDS later, in AWS)."""
    dynamodb = boto3.client("dynamodb")
    table = TEST_ENV["PK_TABLE_NAME"]
    for item in dynamodb.scan(TableName=table)["Items"]:
        if item.get("state", {}).get("S") == "claimed":
            dynamodb.update_item(
                TableName=table,
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression="SET claimed_until = :past",
                ExpressionAttributeValues={":past": {"N": "0"}},
            )


def fresh_pump(table: str) -> EventPump:
    """A pump that remembers nothing (as a new process): streams from their oldest record."""
    return EventPump.connected(app_under_test(), table, REGION, log=lambda _: None)


def test_a_sender_killed_mid_batch_sends_the_rest_once_after_a_fresh_start(
    api: str, embedded_aws: dict[str, str], pump_process: subprocess.Popen[str]
) -> None:
    orders = ("1001", "1002", "1003", "1004")
    # The third e-mail's send is held: two went out, the third is claimed, the fourth waits.
    FAULTS.add(Fault("sesv2", "SendEmail", "InternalFailure", 500, skip=2, times=1,
                     hold_seconds=120))  # fmt: skip
    register(api, *orders)

    assert FAULTS.wait_until_holding(1, timeout=120)
    kill(pump_process)
    assert sum(confirmations().values()) == 2

    # The batch was never answered: after its visibility timeout SQS hands every record again.
    time_passes_for_the_queue()
    the_leases_run_out()
    fresh_pump(embedded_aws["table"]).drain()

    assert confirmations() == confirmed(*orders)


def test_the_pump_killed_mid_stream_and_restarted_loses_nothing_and_repeats_nothing(
    api: str, embedded_aws: dict[str, str], pump_process: subprocess.Popen[str]
) -> None:
    register(api, "1001", "1002", "1003")
    wait_for(lambda: confirmations() == confirmed("1001", "1002", "1003"))

    # The relay's next batch is held in SQS's hands; the pump dies there.
    FAULTS.add(Fault("sqs", "SendMessageBatch", "ServiceUnavailable", 503, times=1,
                     hold_seconds=120))  # fmt: skip
    register(api, "1004", "1005", "1006")
    assert FAULTS.wait_until_holding(1, timeout=120)
    kill(pump_process)

    # Restarted, the pump reads every stream from its oldest record again.
    fresh_pump(embedded_aws["table"]).drain()

    assert confirmations() == confirmed("1001", "1002", "1003", "1004", "1005", "1006")
