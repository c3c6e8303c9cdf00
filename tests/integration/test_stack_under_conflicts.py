"""The local stack keeps notifying through refused writes, races and volume.

Over HTTP against the embedded AWS, with the event pump `make run` runs: a refused transaction
used to orphan the stream the pump reads (no confirmation after one 409), and every transaction
copied the whole table.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from devstack import moto_transactions
from devstack.environment import REGION
from devstack.mailbox import sent_emails
from devstack.pump import EventPump
from tests.api.conftest import app_under_test
from tests.api.factories import MERCHANT, current_order_body, shipment_body
from tests.integration.conftest import post_carrier_events

pytestmark = pytest.mark.integration


def tracking(n: int) -> str:
    return f"0034043416109404{n:04d}"


def register(api: str, order_id: str, now: datetime, tracking_number: str | None = None) -> None:
    post(api, "/v1/orders", current_order_body(now, order_id))
    if tracking_number:
        post(
            api, f"/v1/orders/{order_id}/shipments", shipment_body(tracking_number=tracking_number)
        )


def post(api: str, path: str, body: dict[str, Any]) -> requests.Response:
    response = requests.post(f"{api}{path}", data=json.dumps(body), headers=MERCHANT, timeout=60)
    assert response.status_code in (200, 201), response.text
    return response


def event(number: str, event_id: str, status: str, at: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "carrier": "dhl",
        "tracking_number": number,
        "status": status,
        "occurred_at": at.isoformat(),
        "location": "Berlin",
    }


def subjects() -> Counter[str]:
    return Counter(m.subject for m in sent_emails(REGION))


def confirmed(*order_ids: str) -> Counter[str]:
    return Counter({f"Danke für deine Bestellung {o}": 1 for o in order_ids})


def refuse_a_shipment(api: str) -> None:
    """A shipment whose tracking number belongs to another order: a legitimate 409."""
    taken = shipment_body("S9", tracking_number=tracking(1))
    response = requests.post(
        f"{api}/v1/orders/2002/shipments", data=json.dumps(taken), headers=MERCHANT, timeout=60
    )
    assert response.status_code == 409, response.text


def test_after_a_refused_write_new_orders_are_still_confirmed(api: str, pump: EventPump) -> None:
    now = datetime.now(UTC)
    register(api, "2001", now, tracking(1))
    register(api, "2002", now)
    pump.drain()  # the pump now holds its place in the stream
    assert subjects() == confirmed("2001", "2002")

    refuse_a_shipment(api)
    for order_id in ("2003", "2004", "2005"):
        register(api, order_id, now)
    pump.drain()

    assert subjects() == confirmed("2001", "2002", "2003", "2004", "2005")


def test_the_pump_notices_a_stream_that_stopped_yielding_and_reads_on(
    api: str, embedded_aws: dict[str, Any]
) -> None:
    logged: list[str] = []
    pump = EventPump.connected(app_under_test(), embedded_aws["table"], REGION, log=logged.append)
    pump.stall_probe_seconds = 0  # check at every empty read
    now = datetime.now(UTC)
    register(api, "2001", now, tracking(1))
    register(api, "2002", now)
    pump.drain()

    with moto_transactions.motos_own_rollback():  # moto's own: the 409 orphans the pump's shard
        refuse_a_shipment(api)
    register(api, "2003", now)
    pump.drain()

    assert subjects() == confirmed("2001", "2002", "2003")
    assert any("stopped yielding" in line for line in logged)


def test_a_webhook_with_100_events_is_applied_whole_without_copying_the_table(
    api: str, pump: EventPump, table_copies: list[str]
) -> None:
    now = datetime.now(UTC)
    register(api, "3001", now, tracking(1))
    start = now - timedelta(hours=20)
    scans = [
        event(tracking(1), f"scan-{n:03d}", "in_transit", start + timedelta(minutes=10 * n))
        for n in range(98)
    ]
    last = [
        event(tracking(1), "van", "out_for_delivery", now - timedelta(minutes=20)),
        event(tracking(1), "door", "delivered", now - timedelta(minutes=5)),
    ]

    answer = post_carrier_events(api, *scans, *last)
    pump.drain()

    assert (answer["accepted"], answer["duplicates"]) == (100, 0)
    order = requests.get(f"{api}/v1/orders/3001", headers=MERCHANT, timeout=60).json()
    assert order["status"] == "delivered"
    assert len(order["shipments"][0]["events"]) == 100
    # Only news still current when the pump runs goes out: the parcel has already arrived.
    assert subjects() == Counter(
        {"Danke für deine Bestellung 3001": 1, "Deine Bestellung 3001 ist angekommen": 1}
    )
    assert table_copies == []


def test_concurrent_duplicate_webhooks_confirm_each_milestone_exactly_once(
    api: str, pump: EventPump
) -> None:
    now = datetime.now(UTC)
    orders = [f"40{n:02d}" for n in range(1, 6)]
    for n, order_id in enumerate(orders, start=1):
        register(api, order_id, now, tracking(n))
    answers: list[dict[str, Any]] = []
    for status, hours_ago in [("in_transit", 6), ("out_for_delivery", 2), ("delivered", 1)]:
        events = [
            event(tracking(n), f"{status}-{n}", status, now - timedelta(hours=hours_ago))
            for n in range(1, len(orders) + 1)
        ]
        # Every event three times, shuffled, from eight senders at once.
        work = events * 3
        random.Random(status).shuffle(work)
        with ThreadPoolExecutor(max_workers=8) as senders:
            answers += senders.map(lambda e: post_carrier_events(api, e), work)
        pump.drain()

    assert sum(a["accepted"] for a in answers) == 3 * len(orders)
    assert sum(a["duplicates"] for a in answers) == 2 * 3 * len(orders)
    expected: Counter[str] = Counter()
    for order_id in orders:
        for subject in (
            "Danke für deine Bestellung {}",
            "Deine Bestellung {} ist unterwegs",
            "Deine Bestellung {} kommt heute",
            "Deine Bestellung {} ist angekommen",
        ):
            expected[subject.format(order_id)] = 1  # fmt: skip
    assert subjects() == expected
