"""AWS failing where it hurts, injected on the embedded AWS (devstack/faults.py): the real clients
meet AWS's own error answers, and nothing in the application is replaced.

Every write path answers a throttled or failed write with a retryable status (429 or 503 with
Retry-After, never a 500) and changes nothing; sent again it is accepted once; what the stream
and the queue carry after it is sent once. The stream and queue handlers fail their batch and
are handed it again, without losing or repeating anything.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

from devstack.environment import REGION
from devstack.faults import FAULTS, Fault
from devstack.mailbox import sent_emails, sent_sms
from devstack.pump import EventPump
from tests.api.factories import MERCHANT, current_order_body, shipment_body
from tests.conftest import TEST_ENV
from tests.integration.conftest import post_carrier_events
from tests.unit.tracking import senders

pytestmark = pytest.mark.integration
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
THROTTLED = ("ProvisionedThroughputExceededException", 400, 429)
FAILED = ("InternalServerError", 500, 503)
JSON = {"Content-Type": "application/json"}


def tracking(order_id: str) -> str:
    return f"JJD{order_id}0001"


def call(api: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
    data = None if body is None else json.dumps(body)
    return requests.request(
        method, f"{api}{path}", data=data, headers={**MERCHANT, **headers}, timeout=60
    )


def parcel_event(order_id: str, event_id: str, status: str, at: datetime) -> dict[str, Any]:
    return {"event_id": event_id, "carrier": "dhl", "tracking_number": tracking(order_id),
            "status": status, "occurred_at": at.isoformat(), "location": "Leipzig"}  # fmt: skip


def signed_webhook(api: str, body: bytes) -> requests.Response:
    headers = senders.generic_headers(body, TEST_ENV["PK_WEBHOOK_SECRET"], datetime.now(UTC))
    return requests.post(
        f"{api}/v1/webhooks/generic", data=body, headers={**JSON, **headers}, timeout=60
    )


def stored_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = boto3.client("dynamodb").scan(
        TableName=TEST_ENV["PK_TABLE_NAME"]
    )["Items"]
    return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


def emails() -> Counter[str]:
    return Counter(m.subject for m in sent_emails(REGION))


def fail_every_write(code: str, status: int) -> None:
    for operation in WRITES:
        FAULTS.add(Fault("dynamodb", operation, code, status))


def time_passes_for_the_queue() -> None:
    """Every message of the notification queue visible again, as after its retry delay."""
    backend = get_backend("sqs")[DEFAULT_ACCOUNT_ID][REGION]
    for queue in backend.queues.values():
        for message in queue._messages:
            message.change_visibility(0)


# -- the write paths -----------------------------------------------------------------------------
@dataclass(frozen=True)
class WritePath:
    """A request that writes, on a stack that `given` prepared, and the e-mail it leads to."""

    given: Callable[[str], dict[str, Any]]
    request: Callable[[str, dict[str, Any]], requests.Response]
    email: str


def an_order(api: str, order_id: str = "1001") -> dict[str, Any]:
    created = call(api, "POST", "/v1/orders", current_order_body(datetime.now(UTC), order_id))
    assert created.status_code == 201, created.text
    return {"token": created.json()["token"]}


def a_shipped_order(api: str) -> dict[str, Any]:
    given = an_order(api)
    shipment = shipment_body(tracking_number=tracking("1001"))
    assert call(api, "POST", "/v1/orders/1001/shipments", shipment).status_code == 201
    return given


def a_delivered_order(api: str) -> dict[str, Any]:
    given = a_shipped_order(api)
    arrived = datetime.now(UTC) - timedelta(hours=2)
    post_carrier_events(api, parcel_event("1001", "d-1", "delivered", arrived))
    return given


def a_return(api: str) -> dict[str, Any]:
    given = a_delivered_order(api)
    opened = call(api, "POST", "/v1/orders/1001/returns", a_return_request())
    assert opened.status_code == 201, opened.text
    return {**given, "return_id": opened.json()["return_id"]}


def an_approved_return(api: str) -> dict[str, Any]:
    """A return the merchant approved, handed in at a store (no return parcel)."""
    given = a_return(api)
    approved = call(api, "POST", f"/v1/returns/{given['return_id']}/events", {"status": "approved"})
    assert approved.status_code == 200, approved.text
    return given


def a_return_request() -> dict[str, Any]:
    return {"items": [{"sku": "TSHIRT-M", "quantity": 1, "reason": "too_small"}],
            "resolution": "refund"}  # fmt: skip


WRITE_PATHS = {
    "order": WritePath(
        lambda api: {},
        lambda api, _: call(api, "POST", "/v1/orders", current_order_body(datetime.now(UTC))),
        "Danke für deine Bestellung 1001",
    ),
    "shipment": WritePath(
        an_order,
        lambda api, _: call(
            api,
            "POST",
            "/v1/orders/1001/shipments",
            shipment_body(tracking_number=tracking("1001")),
        ),
        "",  # "on its way" comes with the parcel's first departure scan
    ),
    "webhook": WritePath(
        a_shipped_order,
        lambda api, _: signed_webhook(
            api,
            json.dumps(
                {"events": [parcel_event("1001", "e-1", "out_for_delivery", datetime.now(UTC))]}
            ).encode(),
        ),
        "Deine Bestellung 1001 kommt heute",
    ),
    "return": WritePath(
        a_delivered_order,
        lambda api, _: call(
            api, "POST", "/v1/orders/1001/returns", a_return_request(), **{"Idempotency-Key": "r1"}
        ),
        "",  # a return's first e-mail comes when it is received
    ),
    "return event": WritePath(
        an_approved_return,
        lambda api, given: call(
            api, "POST", f"/v1/returns/{given['return_id']}/events", {"status": "received"}
        ),
        "Deine Rücksendung zu Bestellung 1001 ist angekommen",
    ),
    "rating": WritePath(
        a_delivered_order,
        lambda api, given: requests.post(
            f"{api}/v1/feedback",
            data=json.dumps({"order_id": "1001", "token": given["token"], "rating": 9}),
            headers=JSON,
            timeout=60,
        ),
        "",  # a rating of 9 sends nothing
    ),
    "customer token": WritePath(
        an_order,
        lambda api, _: call(api, "POST", "/v1/orders/1001/token"),
        "",  # a replaced token sends nothing
    ),
}


@pytest.mark.parametrize("fault", [THROTTLED, FAILED], ids=["throttled", "failed"])
@pytest.mark.parametrize("path", list(WRITE_PATHS))
def test_a_write_that_meets_a_fault_answers_retryable_changes_nothing_and_succeeds_once_sent_again(
    api: str, pump: EventPump, path: str, fault: tuple[str, int, int]
) -> None:
    code, aws_status, answered = fault
    case = WRITE_PATHS[path]
    given = case.given(api)
    pump.drain()
    before, mail_before = stored_items(), emails()

    fail_every_write(code, aws_status)
    refused = case.request(api, given)

    assert refused.status_code == answered, refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["code"] == (
        "too_many_requests" if answered == 429 else "service_unavailable"
    )
    assert stored_items() == before  # nothing half-written

    FAULTS.clear()
    accepted = case.request(api, given)
    assert accepted.status_code in (200, 201), accepted.text
    pump.drain()
    pump.rewind_streams()  # the stream may hand every record again: nothing goes out twice
    pump.drain()
    sent = emails() - mail_before
    assert all(count == 1 for count in emails().values()), emails()
    if case.email:
        assert sent[case.email] == 1, sent


def test_a_webhook_whose_second_transaction_fails_is_applied_whole_when_sent_again(
    api: str, pump: EventPump
) -> None:
    """100 events for one parcel commit in three transactions: the second one fails."""
    a_shipped_order(api)  # placed a day ago: the scans follow it (one before would be skipped)
    start = datetime.now(UTC) - timedelta(hours=23)
    events = [parcel_event("1001", f"e-{n}", "in_transit", start + timedelta(minutes=13 * n))
              for n in range(99)]  # fmt: skip
    events.append(parcel_event("1001", "e-99", "delivered", datetime.now(UTC) - timedelta(hours=1)))
    body = json.dumps({"events": events}).encode()
    FAULTS.add(Fault("dynamodb", "TransactWriteItems", *THROTTLED[:2], skip=1))

    refused = signed_webhook(api, body)
    assert refused.status_code == 429, refused.text
    assert "Retry-After" in refused.headers

    FAULTS.clear()
    again = signed_webhook(api, body)
    assert again.status_code == 200, again.text
    accepted, duplicates = again.json()["accepted"], again.json()["duplicates"]
    assert accepted + duplicates == 100 and accepted > 0
    order = call(api, "GET", "/v1/orders/1001").json()
    assert len(order["shipments"][0]["events"]) == 100
    assert order["status"] == "delivered"
    pump.drain()
    assert emails()["Deine Bestellung 1001 ist angekommen"] == 1
    assert all(count == 1 for count in emails().values()), emails()


def test_the_same_webhook_ten_times_at_once_is_applied_once_and_told_once(
    api: str, pump: EventPump
) -> None:
    a_shipped_order(api)
    body = json.dumps(
        {"events": [parcel_event("1001", "e-1", "out_for_delivery", datetime.now(UTC))]}
    ).encode()

    with ThreadPoolExecutor(max_workers=10) as senders_at_once:
        answers = list(senders_at_once.map(lambda _: signed_webhook(api, body), range(10)))

    assert [a.status_code for a in answers] == [200] * 10
    assert sum(a.json()["accepted"] for a in answers) == 1
    assert sum(a.json()["duplicates"] for a in answers) == 9
    pump.drain()
    assert emails()["Deine Bestellung 1001 kommt heute"] == 1
    assert len(sent_sms(REGION)) == 1  # the customer chose SMS too


# -- the stream and the queue --------------------------------------------------------------------
@pytest.fixture
def delivered_report() -> Iterator[Callable[[str], int]]:
    def delivered(api: str) -> int:
        today = datetime.now(UTC).date()
        query = f"from={(today - timedelta(days=3)).isoformat()}&to={today.isoformat()}"
        report = call(api, "GET", f"/v1/promise/accuracy?{query}").json()
        return int(report["delivered"])

    yield delivered


def test_counters_throttled_are_counted_once_when_the_stream_hands_the_batch_again(
    api: str, pump: EventPump, delivered_report: Callable[[str], int]
) -> None:
    a_delivered_order(api)
    # The projector's transaction marks its fact counted: only that write is throttled.
    fault = FAULTS.add(
        Fault("dynamodb", "TransactWriteItems", *THROTTLED[:2], contains="counted_at")
    )

    pump.drain()
    assert fault.injected >= 1
    assert delivered_report(api) == 0

    FAULTS.clear()
    pump.drain()
    pump.rewind_streams()
    pump.drain()
    assert delivered_report(api) == 1


def test_while_sqs_is_unavailable_the_relay_loses_nothing_and_sends_nothing_twice(
    api: str, pump: EventPump
) -> None:
    fault = FAULTS.add(Fault("sqs", "SendMessageBatch", "ServiceUnavailable", 503))
    for order_id in ("1001", "1002", "1003"):
        an_order(api, order_id)

    pump.drain()
    assert fault.injected >= 1
    assert emails() == Counter()

    FAULTS.clear()
    pump.drain()
    assert emails() == Counter(
        {f"Danke für deine Bestellung {o}": 1 for o in ("1001", "1002", "1003")}
    )


@pytest.mark.parametrize(
    ("service", "operation", "code", "status"),
    [
        ("sesv2", "SendEmail", "TooManyRequestsException", 429),
        (
            "sesv2",
            "SendEmail",
            "SendingPausedException",
            400,
        ),  # the account's fault: a person fixes it
        ("sns", "Publish", "Throttling", 400),
        ("sns", "Publish", "InternalError", 500),
        # The sender's own claim of the milestone, before it sends anything.
        ("dynamodb", "UpdateItem", "ProvisionedThroughputExceededException", 400),
    ],
)
def test_a_sender_whose_channel_or_table_refuses_for_a_while_sends_once_it_is_back(
    api: str, pump: EventPump, service: str, operation: str, code: str, status: int
) -> None:
    a_shipped_order(api)
    pump.drain()
    mail_before, sms_before = emails(), len(sent_sms(REGION))
    fault = FAULTS.add(Fault(service, operation, code, status, contains="claimed_until"
                             if service == "dynamodb" else ""))  # fmt: skip
    post_carrier_events(api, parcel_event("1001", "e-1", "out_for_delivery", datetime.now(UTC)))

    pump.drain()
    assert fault.injected >= 1
    FAULTS.clear()
    time_passes_for_the_queue()  # the message waited out its retry delay
    pump.drain()

    # E-mail and SMS each went out exactly once, the refused one after the fault.
    assert (emails() - mail_before) == Counter({"Deine Bestellung 1001 kommt heute": 1})
    assert len(sent_sms(REGION)) == sms_before + 1


def test_a_number_sns_refuses_for_good_is_recorded_and_not_tried_again(
    api: str, pump: EventPump
) -> None:
    a_shipped_order(api)
    pump.drain()
    FAULTS.add(Fault("sns", "Publish", "InvalidParameter", 400))
    post_carrier_events(api, parcel_event("1001", "e-1", "out_for_delivery", datetime.now(UTC)))

    pump.drain()
    time_passes_for_the_queue()
    pump.drain()

    assert emails()["Deine Bestellung 1001 kommt heute"] == 1
    assert sent_sms(REGION) == []
    order = call(api, "GET", "/v1/orders/1001").json()
    skipped = [(s["channel"], s["reason"]) for s in order["skipped_notifications"]]
    assert ("sms", "rejected_by_provider") in skipped
