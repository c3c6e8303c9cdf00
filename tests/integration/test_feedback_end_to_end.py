"""Feedback over the real HTTP path: rating → fact → stream → counters → the merchant's summary."""

from __future__ import annotations

import json
import random
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import requests
from boto3.dynamodb.conditions import Key

from chalicelib import deps, settings
from chalicelib.domain.customer_tokens import first_format_token
from chalicelib.domain.facts import merge_amounts
from chalicelib.domain.feedback.counting import count_rating
from chalicelib.store import keys
from chalicelib.store.attributes import to_attributes
from devstack.environment import REGION
from devstack.mailbox import sent_emails
from devstack.pump import EventPump
from tests.api.factories import MERCHANT, current_order_body, shipment_body
from tests.api.test_feedback import at
from tests.conftest import TEST_ENV
from tests.integration.conftest import merchant_post, post_carrier_events

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

pytestmark = pytest.mark.integration
DHL = "00340434161094042557"
CUSTOMER = {"Content-Type": "application/json"}


def given_a_delivered_order(api: str, now: datetime) -> str:
    """Register, ship and deliver order 1001; the customer's token."""
    registered = merchant_post(api, "/v1/orders", current_order_body(now))
    merchant_post(api, "/v1/orders/1001/shipments", shipment_body())
    post_carrier_events(
        api,
        {
            "event_id": "evt-delivered",
            "carrier": "dhl",
            "tracking_number": DHL,
            "status": "delivered",
            "occurred_at": (now - timedelta(hours=1)).isoformat(),
        },
    )
    token: str = registered["token"]
    return token


def rate(api: str, token: str, rating: Any, **fields: Any) -> requests.Response:
    body = {"order_id": "1001", "token": token, "rating": rating, **fields}
    return requests.post(f"{api}/v1/feedback", data=json.dumps(body), headers=CUSTOMER, timeout=30)


def summary(api: str, first: date, last: date, **filters: str) -> dict[str, Any]:
    params = {"from": first.isoformat(), "to": last.isoformat(), **filters}
    answer = requests.get(f"{api}/v1/feedback/summary", params=params, headers=MERCHANT, timeout=30)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def test_the_delivered_email_links_ten_scores_to_a_page_whose_form_rates(
    api: str, pump: EventPump
) -> None:
    now = datetime.now(UTC)
    given_a_delivered_order(api, now)
    pump.drain()
    (delivered,) = [m for m in sent_emails(REGION) if "angekommen" in m.subject]

    links = re.findall(r"https://track\.shop\.example(\S+&score=(\d+))", delivered.text)
    html_links = re.findall(r'href="[^"]+&amp;score=(\d+)"', delivered.html)
    path, _ = links[7]
    page = requests.get(f"{api}{path}", timeout=30)
    form = dict(re.findall(r'name="(token|lang)" value="([^"]*)"', page.text))
    rated = requests.post(f"{api}{path.split('?')[0]}", data={**form, "rating": "8"}, timeout=30)

    assert [score for _, score in links] == [str(n) for n in range(1, 11)]
    assert html_links == [str(n) for n in range(1, 11)]
    assert page.status_code == 200 and 'value="8" required checked' in page.text
    assert rated.status_code == 201 and "Danke" in rated.text


def test_an_unrated_order_is_reminded_once_three_days_after_delivery(
    api: str, pump: EventPump, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    given_a_delivered_order(api, now)
    pump.drain()

    at(monkeypatch, now + timedelta(days=3))
    queued = [deps.feedback_service().send_reminders() for _ in range(2)]
    pump.drain()

    assert queued == [1, 0]
    (reminder,) = [m for m in sent_emails(REGION) if m.subject == "Wie war deine Bestellung 1001?"]
    assert len(re.findall(r"&score=\d+", reminder.text)) == 10


def test_concurrent_submissions_leave_one_record_with_every_answer_in_its_history(
    api: str, embedded_aws: dict[str, Any]
) -> None:
    token = given_a_delivered_order(api, datetime.now(UTC))

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda n: rate(api, token, n), range(1, 9)))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 7 + [201]
    table = boto3.resource("dynamodb").Table(embedded_aws["table"])
    item = table.get_item(Key={"PK": "ORDER#1001", "SK": "FEEDBACK"})["Item"]
    assert item["version"] == 8
    # Each answer a change replaced is an item of its own, one per version
    earlier = table.query(
        KeyConditionExpression=Key("PK").eq("ORDER#1001") & Key("SK").begins_with("FEEDBACK#")
    )["Items"]
    assert [e["SK"] for e in earlier] == [f"FEEDBACK#{v:04d}" for v in range(1, 8)]
    ratings = [e["rating"] for e in earlier] + [item["rating"]]
    every = sorted(int(rating) for rating in ratings if isinstance(rating, Decimal))
    assert every == list(range(1, 9))


@pytest.fixture
def merchant_hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The merchant's webhook endpoint: what it received, in order."""
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("PK_MERCHANT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_address[1]}")
    settings.reset_caches()
    yield received
    server.shutdown()
    server.server_close()


def test_a_low_rating_alerts_the_merchants_webhook_once(
    api: str, pump: EventPump, merchant_hook: list[dict[str, Any]]
) -> None:
    token = given_a_delivered_order(api, datetime.now(UTC))
    pump.drain()
    mirrored = len(merchant_hook)  # the customer's messages, mirrored

    rate(api, token, 2, comment="Paket kaputt")
    rate(api, token, 2)  # the same low score again: no second alert
    pump.drain()

    alerts = [m for m in merchant_hook[mirrored:] if m["type"] == "low_rating"]
    assert [(a["order_id"], a["variant"]) for a in alerts] == [("1001", "2")]
    assert "2 von 10" in alerts[0]["subject"]


def test_a_rating_and_its_change_reach_the_summary_once(api: str, pump: EventPump) -> None:
    now = datetime.now(UTC)
    token = given_a_delivered_order(api, now)
    pump.drain()

    first = rate(api, token, 4, comment="Karton war nass", tags=["packaging"])
    changed = rate(api, token, 8, items=[{"sku": "MUG-BLUE", "rating": 9}])
    pump.drain()
    pump.rewind_streams()  # the stream hands every record again: nothing is counted twice
    pump.drain()

    assert (first.status_code, changed.status_code) == (201, 200)
    today = now.date()
    figures = summary(api, today - timedelta(days=30), today)
    assert (figures["count"], figures["mean"], figures["distribution"]["8"]) == (1, 8.0, 1)
    assert figures["distribution"]["4"] == 0
    assert figures["by_promise"]["kept"]["count"] == 1
    products = requests.get(
        f"{api}/v1/feedback/products",
        params={"from": today.isoformat(), "to": today.isoformat()},
        headers=MERCHANT,
        timeout=30,
    ).json()
    assert products["products"] == [{"sku": "MUG-BLUE", "count": 1, "mean": 9.0}]


@pytest.mark.parametrize(
    ("rating", "comment", "status", "code"),
    [
        (0, None, 422, "validation_error"),
        (11, None, 422, "validation_error"),
        (7.5, None, 422, "validation_error"),
        ("7", None, 422, "validation_error"),
        (None, None, 422, "validation_error"),
        (7, "x" * 2001, 422, "validation_error"),
    ],
)
def test_bad_ratings_over_http_are_refused_and_count_nothing(
    api: str, pump: EventPump, rating: Any, comment: str | None, status: int, code: str
) -> None:
    now = datetime.now(UTC)
    token = given_a_delivered_order(api, now)

    answer = rate(api, token, rating, comment=comment)
    pump.drain()

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert summary(api, now.date(), now.date())["count"] == 0


def test_a_wrong_or_missing_token_and_an_undelivered_order_are_refused(api: str) -> None:
    now = datetime.now(UTC)
    merchant_post(api, "/v1/orders", current_order_body(now))

    missing = requests.post(
        f"{api}/v1/feedback", data=json.dumps({"order_id": "1001", "rating": 9}), timeout=30
    )
    wrong = rate(api, "forged", 9)
    undelivered = rate(api, first_format_token(TEST_ENV["PK_TOKEN_SECRET"], "1001"), 9)

    assert (missing.status_code, missing.json()["code"]) == (401, "unauthorized")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "forbidden")
    assert (undelivered.status_code, undelivered.json()["code"]) == (409, "not_delivered")


# -- 10,000 ratings across a month -----------------------------------------------------------------
CARRIERS = ("dhl", "dpd")
METHODS = ("standard", "express")


def a_month_of_ratings(last: date, n: int) -> list[dict[str, Any]]:
    """Rating facts as the use case writes them, spread over the 31 days ending ``last``."""
    rng = random.Random(10)
    payloads = []
    for _ in range(n):
        promise = rng.choice(("kept", "kept", "kept", "broken", "open"))
        payloads.append(
            {
                "day": (last - timedelta(days=rng.randrange(31))).isoformat(),
                "carrier": rng.choice(CARRIERS),
                "method": rng.choice(METHODS),
                "promise": promise,
                "delay_announced": promise == "broken" and rng.random() < 0.4,
                "current": {"rating": rng.randint(1, 10)},
            }
        )
    return payloads


def counted_in_bulk(table: str, payloads: list[dict[str, Any]]) -> None:
    """The counters the projector makes of these facts, added up per item and written at once.

    Counting 10,000 facts one transaction each is what the stream does in production; here the
    same projection yields the same amounts per counter item (shard by fact id, as the store
    does), and each item is written once.
    """
    items: dict[tuple[str, str], list[Mapping[str, int]]] = {}
    for n, payload in enumerate(payloads):
        for update in count_rating(payload):
            shard = keys.counter_shard(f"bulk-{n}", update.shards)
            key = keys.counter_key(update.family, update.dimension, shard, update.bucket)
            items.setdefault((key["PK"], key["SK"]), []).append(dict(update.amounts))
    puts: list[WriteRequestTypeDef] = [
        {"PutRequest": {"Item": to_attributes({"PK": pk, "SK": sk, **merge_amounts(amounts)})}}
        for (pk, sk), amounts in items.items()
    ]
    client = boto3.client("dynamodb")
    for start in range(0, len(puts), 25):
        client.batch_write_item(RequestItems={table: puts[start : start + 25]})


def test_a_months_summary_over_10000_ratings_reads_62_counter_items(
    api: str, embedded_aws: dict[str, Any]
) -> None:
    last = date(2026, 12, 31)
    first = last - timedelta(days=30)
    payloads = a_month_of_ratings(last, 10_000)
    counted_in_bulk(embedded_aws["table"], payloads)

    everything = summary(api, first, last)
    dhl_express = summary(api, first, last, carrier="dhl", method="express")
    one_week = summary(api, last - timedelta(days=6), last)

    ratings = [p["current"]["rating"] for p in payloads]
    assert everything["count"] == 10_000
    assert everything["mean"] == round(sum(ratings) / 10_000, 2)
    assert everything["distribution"] == {str(s): n for s, n in sorted(Counter(ratings).items())}
    promoters = sum(r >= 9 for r in ratings)
    detractors = sum(r <= 6 for r in ratings)
    assert everything["score"] == round(100 * (promoters - detractors) / 10_000, 1)
    kept = [p for p in payloads if p["promise"] == "kept"]
    broken = [p for p in payloads if p["promise"] == "broken"]
    announced = [p for p in broken if p["delay_announced"]]
    assert everything["by_promise"]["kept"]["count"] == len(kept)
    assert everything["by_promise"]["broken"]["count"] == len(broken)
    assert everything["by_delay_notice"]["announced"]["count"] == len(announced)
    assert everything["by_delay_notice"]["not_announced"]["count"] == len(broken) - len(announced)
    assert dhl_express["count"] == sum(
        p["carrier"] == "dhl" and p["method"] == "express" for p in payloads
    )
    # One item per day and shard, whatever the volume: 31 days × 2 shards.
    assert everything["items_read"] == 62
    assert dhl_express["items_read"] == 62
    assert one_week["items_read"] == 14
