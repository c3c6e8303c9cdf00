"""Every date a customer reads is right, read through the HTTP API on in-process moto (and, for
what the customer is sent, through the notification Lambdas).

Each case was seen on the running stack; the scenarios are set relative to the real clock, as
the server validates every date against it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest

from chalicelib.channels.render import format_date
from devstack.environment import REGION
from devstack.mailbox import SentEmail, sent_emails
from tests.api.factories import MERCHANT, body_of, html_of, order_body, post, shipment_body, token
from tests.api.returns_steps import (
    LABEL,
    RETURN_PARCEL,
    carrier_event,
    given_delivered_order,
    post_events,
    read_return,
    request_return,
    step,
)
from tests.api.test_notifications import (
    invoke_relay,
    invoke_sender,
    queued_messages,
    sqs_record,
    stream_record,
    table_items,
)

BERLIN = ZoneInfo("Europe/Berlin")
DHL = "00340434161094042557"
JSON = {"Content-Type": "application/json"}


def berlin_today() -> date:
    return datetime.now(UTC).astimezone(BERLIN).date()


def given_an_order_in_transit(
    client: Any, *, latest: date, scanned: datetime, locale: str = "de-DE", **event: Any
) -> None:
    """Order 1001 for Berlin (no zone of the customer's own), promised until ``latest``, its
    one parcel last scanned in transit at ``scanned``."""
    body = order_body(
        placed_at=(scanned - timedelta(days=2)).isoformat(),
        promise={
            "method": "standard",
            "earliest": (latest - timedelta(days=1)).isoformat(),
            "latest": latest.isoformat(),
        },
    )
    body["customer"] = {**body["customer"], "locale": locale, "channels": ["email"]}
    assert post(client, "/v1/orders", body).status_code == 201
    assert post(client, "/v1/orders/1001/shipments", shipment_body()).status_code == 201
    scan = {**carrier_event("evt-1", "in_transit", scanned, DHL), **event}
    post_events(client, scan)


def the_order(client: Any) -> dict[str, Any]:
    answer: dict[str, Any] = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    return answer


def tracking_page(client: Any) -> str:
    return html_of(client.get(f"/v1/pages/orders/1001?token={token()}"))


def deliver_the_outbox(aws: dict[str, Any], order_id: str = "1001") -> list[SentEmail]:
    """The stream hands the order's outbox records to the relay, the relay to SQS, SQS to the
    sender: the e-mails sent, as the embedded SES keeps them."""
    outbox = table_items(aws["table"], f"OUTBOX#{order_id}")
    invoke_relay([stream_record(item, sequence=n) for n, item in enumerate(outbox, start=1)])
    while queued := queued_messages(aws):
        records = [sqs_record(m["MessageId"], m["Body"], m["ReceiptHandle"]) for m in queued]
        assert invoke_sender(records) == {"batchItemFailures": []}
        for m in queued:
            boto3.client("sqs").delete_message(
                QueueUrl=aws["queue_urls"]["NotificationsQueue"], ReceiptHandle=m["ReceiptHandle"]
            )
    return sent_emails(REGION)


def delay_email(emails: list[SentEmail]) -> SentEmail:
    words = ("später", "verspätet", "late")
    (delayed,) = [e for e in emails if any(word in e.subject for word in words)]
    return delayed


# -- estimates -----------------------------------------------------------------------------------
def test_an_estimate_is_never_before_today(client: Any) -> None:
    # Given a parcel last scanned in transit six days ago (its rule estimate long past), promised
    # for the coming days
    today = berlin_today()
    scanned = datetime.now(UTC) - timedelta(days=6)
    given_an_order_in_transit(client, latest=today + timedelta(days=3), scanned=scanned)

    # When the merchant and the customer look
    order = the_order(client)
    page = tracking_page(client)

    # Then the estimate is a day still to come, and the page shows that very day
    estimate = date.fromisoformat(order["shipments"][0]["estimated_delivery"])
    assert estimate >= today
    assert f"Voraussichtlich {format_date(estimate, 'de')}" in page
    assert "später als zugesagt" not in page


def test_an_estimate_after_the_promised_day_says_it_is_late(client: Any) -> None:
    # Given a parcel scanned in transit two days ago whose promise ended yesterday
    today = berlin_today()
    scanned = datetime.now(UTC) - timedelta(days=2)
    given_an_order_in_transit(client, latest=today - timedelta(days=1), scanned=scanned)

    # When the customer looks
    order = the_order(client)
    page = tracking_page(client)

    # Then the order is late, and the expected day is today or later, said to be late
    estimate = date.fromisoformat(order["shipments"][0]["estimated_delivery"])
    assert order["promise"]["state"] == "late"
    assert estimate >= today
    assert f"Voraussichtlich {format_date(estimate, 'de')} – später als zugesagt" in page


def test_an_estimate_is_never_before_the_day_of_the_latest_scan(client: Any) -> None:
    # Given the carrier's estimate for yesterday, given with a scan two days ago, and a later
    # scan this morning without one
    today = berlin_today()
    now = datetime.now(UTC)
    given_an_order_in_transit(
        client,
        latest=today + timedelta(days=4),
        scanned=now - timedelta(days=2),
        estimated_delivery=(today - timedelta(days=1)).isoformat(),
    )
    post_events(client, carrier_event("evt-2", "in_transit", now - timedelta(minutes=5), DHL))

    # When the merchant reads the order
    shipment = the_order(client)["shipments"][0]

    # Then the stale estimate is not shown: the parcel can only arrive from today on
    assert date.fromisoformat(shipment["estimated_delivery"]) >= today


# -- delay messages ------------------------------------------------------------------------------
def test_a_delay_message_never_offers_a_new_date_before_the_promised_one(
    client: Any, aws: dict[str, Any]
) -> None:
    # Given a parcel silent in transit for four days (at risk), promised until the day after
    # tomorrow; its rule estimate from the last scan lies in the past
    today = berlin_today()
    latest = today + timedelta(days=2)
    given_an_order_in_transit(client, latest=latest, scanned=datetime.now(UTC) - timedelta(days=4))
    assert the_order(client)["promise"]["state"] == "at_risk"

    # When the customer is told
    delayed = delay_email(deliver_the_outbox(aws))

    # Then the message names the promised day and says it has no later one yet
    assert f"zugesagt war sie am {format_date(latest, 'de')}" in delayed.text
    assert "Neuer voraussichtlicher Liefertermin" not in delayed.text
    assert "Einen neuen Liefertermin haben wir noch nicht" in delayed.text


def test_a_delay_message_does_not_repeat_the_promised_day_as_the_new_one(
    client: Any, aws: dict[str, Any]
) -> None:
    # Given an exception scan an hour ago whose carrier estimate is the promised last day
    today = berlin_today()
    latest = today + timedelta(days=1)
    given_an_order_in_transit(
        client,
        latest=latest,
        scanned=datetime.now(UTC) - timedelta(hours=1),
        locale="en-GB",
        status="exception",
        estimated_delivery=latest.isoformat(),
    )

    # When the customer is told
    delayed = delay_email(deliver_the_outbox(aws))

    # Then the due day is not offered as the new one
    assert f"it was due on {format_date(latest, 'en')}" in delayed.text
    assert "New estimated delivery" not in delayed.text
    assert "We don't have a new delivery date yet" in delayed.text


def test_a_delay_message_names_a_new_date_after_the_promised_one(
    client: Any, aws: dict[str, Any]
) -> None:
    # Given an exception scan whose carrier estimate is two days after the promised last day
    today = berlin_today()
    latest = today + timedelta(days=1)
    later = latest + timedelta(days=2)
    given_an_order_in_transit(
        client,
        latest=latest,
        scanned=datetime.now(UTC) - timedelta(hours=1),
        status="exception",
        estimated_delivery=later.isoformat(),
    )

    # When the customer is told
    delayed = delay_email(deliver_the_outbox(aws))

    # Then the new day is named, after the promised one
    assert f"Neuer voraussichtlicher Liefertermin: {format_date(later, 'de')}" in delayed.text


# -- option labels -------------------------------------------------------------------------------
def express(client: Any, at: str, locale: str = "de-DE") -> dict[str, Any]:
    body = {
        "destination": {"country": "DE", "postal_code": "10115"},
        "items": [{"sku": "TSHIRT-M", "quantity": 1}],
        "at": at,
        "locale": locale,
    }
    answer = body_of(client.post("/v1/promise/quote", headers=JSON, body=json.dumps(body)))
    option: dict[str, Any] = next(o for o in answer["options"] if o["method"] == "next_day")
    return option


@pytest.mark.parametrize(
    ("at", "locale", "delivery", "label"),
    [
        # Wednesday before Christmas after the 15:00 cut-off: 24 December closed, two holidays
        # and a Sunday: delivered on Tuesday, six days later
        ("2026-12-23T16:30:00+01:00", "de-DE", "2026-12-29", "Express – am Dienstag bei dir"),
        ("2026-12-23T16:30:00+01:00", "en-GB", "2026-12-29", "Express – with you on Tuesday"),
        # Monday 23:48: the cut-off has passed; Tuesday ships, Wednesday delivers
        ("2026-12-07T23:48:00+01:00", "de-DE", "2026-12-09", "Express – am Mittwoch bei dir"),
        # Monday morning before the cut-off: tomorrow it is
        ("2026-12-07T09:00:00+01:00", "de-DE", "2026-12-08", "Express – morgen bei dir"),
        ("2026-12-07T09:00:00+01:00", "en-GB", "2026-12-08", "Express – with you tomorrow"),
    ],
)
def test_an_option_label_says_the_day_its_dates_say(
    client: Any, at: str, locale: str, delivery: str, label: str
) -> None:
    option = express(client, at, locale)

    assert option["delivery"] == {"earliest": delivery, "latest": delivery}
    assert option["label"] == label


# -- a return's history --------------------------------------------------------------------------
def test_a_return_history_shows_when_the_carrier_scanned_not_when_it_was_recorded(
    client: Any,
) -> None:
    # Given a return with its label, and the return parcel's first scan three hours ago
    given_delivered_order(client)
    return_id = body_of(request_return(client))["return_id"]
    assert step(client, return_id, {"status": "approved"}).status_code == 200
    assert step(client, return_id, LABEL).status_code == 200
    scanned = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    post_events(client, carrier_event("r-1", "in_transit", scanned, RETURN_PARCEL))

    # When the return is read, as JSON and as the customer's page
    history = body_of(read_return(client, return_id))["history"]
    page = html_of(client.get(f"/v1/pages/returns/{return_id}?token={token()}"))

    # Then the carrier's step is dated when the scan happened
    (moving,) = [h for h in history if h["status"] == "in_transit"]
    assert (moving["source"], datetime.fromisoformat(moving["at"])) == ("carrier", scanned)
    local = scanned.astimezone(BERLIN)
    assert f"{local:%H:%M}</time> – Auf dem Weg zu uns" in page
