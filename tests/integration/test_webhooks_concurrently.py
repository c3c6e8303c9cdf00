"""20 senders at once for one shipment, against the embedded AWS over HTTP: nothing is lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.api.factories import MERCHANT, current_order_body, shipment_body
from tests.integration.conftest import merchant_post, post_carrier_events

pytestmark = pytest.mark.integration
DHL = "00340434161094042557"
STATUSES = ["in_transit"] * 17 + ["out_for_delivery", "failed_attempt", "delivered"]


START = datetime.now(UTC) - timedelta(hours=12)  # twenty scans of the last twelve hours


def event(n: int) -> dict[str, Any]:
    return {
        "event_id": f"evt-{n:02d}",
        "carrier": "dhl",
        "tracking_number": DHL,
        "status": STATUSES[n],
        "occurred_at": (START + timedelta(minutes=30 * n)).isoformat(),
        "carrier_status": f"C{n}",
    }


def post_event(api: str, n: int) -> dict[str, Any]:
    return post_carrier_events(api, event(n))


def test_twenty_threads_posting_for_one_shipment_lose_no_update(api: str) -> None:
    merchant_post(api, "/v1/orders", current_order_body(datetime.now(UTC)))
    merchant_post(api, "/v1/orders/1001/shipments", shipment_body())

    # Every event twice, newest first, from 20 threads at once.
    work = [n for n in reversed(range(20)) for _ in range(2)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda n: post_event(api, n), work))

    assert sum(a["accepted"] for a in answers) == 20
    assert sum(a["duplicates"] for a in answers) == 20
    order = requests.get(f"{api}/v1/orders/1001", headers=MERCHANT, timeout=30).json()
    shipment = order["shipments"][0]
    assert shipment["status"] == "delivered"
    assert [e["event_id"] for e in shipment["events"]] == [
        f"evt-{n:02d}" for n in range(19, -1, -1)
    ]
    assert order["status"] == "delivered"
