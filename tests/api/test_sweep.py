"""The schedule marks orders at risk or late by time alone, and announces it once."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib import deps
from chalicelib.domain.tracking import ParcelStatus, TrackingEvent
from chalicelib.handlers import sweep
from chalicelib.models.orders import RegisterOrderRequest, RegisterShipmentRequest
from chalicelib.observability import logger
from chalicelib.services import orders as service
from tests.api.conftest import app_under_test
from tests.api.factories import MERCHANT, body_of, order_body, shipment_body


def at(moment: datetime) -> service.OrderService:
    return service.OrderService(replace(deps.orders_context(), now=lambda: moment))


def given_a_parcel_scanned_at(
    scan: datetime,
    latest: datetime,
    order_id: str = "1001",
    tracking_number: str = "00340434161094042557",
) -> None:
    orders = at(scan)
    promise = {
        "method": "standard",
        "earliest": scan.date().isoformat(),
        "latest": latest.date().isoformat(),
    }
    placed = (scan - timedelta(hours=20)).isoformat()
    body = order_body(order_id, promise=promise, placed_at=placed)
    orders.register(RegisterOrderRequest.model_validate(body))
    shipment = shipment_body(tracking_number=tracking_number)
    orders.add_shipment(order_id, RegisterShipmentRequest.model_validate(shipment))
    event = TrackingEvent("evt-1", "generic", "dhl", tracking_number, ParcelStatus.IN_TRANSIT, scan)
    orders.record_carrier_events([event])


def outbox_kinds() -> list[str]:
    items: list[dict[str, Any]] = boto3.resource("dynamodb").Table("promise-keeper").scan()["Items"]
    return [i["SK"].split("#")[0] for i in items if i["PK"].startswith("OUTBOX#")]


def test_a_silent_parcel_turns_at_risk_when_its_check_is_due(aws: dict[str, Any]) -> None:
    scan = datetime(2026, 12, 21, 9, tzinfo=UTC)
    given_a_parcel_scanned_at(scan, latest=scan + timedelta(days=5))

    # Its expected day (Tuesday, by the rules) passes at midnight: looked at again, on track
    passed = at(scan + timedelta(hours=39)).sweep_due().changed
    before = at(scan + timedelta(hours=47)).sweep_due().changed
    after = at(scan + timedelta(hours=49)).sweep_due().changed
    again = at(scan + timedelta(hours=50)).sweep_due().changed

    assert (passed, before, after, again) == (1, 0, 1, 0)
    stored = deps.order_repository().get("1001")
    assert stored is not None
    assert stored.order.promise_state == "at_risk"
    assert outbox_kinds().count("promise_state") == 1


def test_the_day_after_the_last_promised_day_the_order_is_late(aws: dict[str, Any]) -> None:
    scan = datetime(2026, 12, 21, 9, tzinfo=UTC)
    given_a_parcel_scanned_at(scan, latest=datetime(2026, 12, 22, tzinfo=UTC))

    at(datetime(2026, 12, 22, 22, 30, tzinfo=UTC)).sweep_due()  # 23:30 in Berlin
    late = at(datetime(2026, 12, 22, 23, 30, tzinfo=UTC)).sweep_due()  # 00:30 next day

    assert late.changed == 1
    stored = deps.order_repository().get("1001")
    assert stored is not None
    assert stored.order.promise_state == "late"


def test_the_scheduled_handler_sweeps_with_the_real_clock(client: Any) -> None:
    scan = datetime.now(UTC) - timedelta(days=3)
    given_a_parcel_scanned_at(scan, latest=datetime.now(UTC) + timedelta(days=5))
    with Client(app_under_test()) as lambdas:
        event = lambdas.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
        )
        result = lambdas.lambda_.invoke("sweep_due_orders", event)

    assert result.payload == {"changed": 1, "failed": 0}
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert order["promise"]["state"] == "at_risk"


def test_a_sweep_that_finds_nothing_due_loads_neither_the_rules_nor_the_api_models() -> None:
    """The schedule runs every 15 minutes and mostly finds nothing due: its cold start is the
    order store's query, not the promise rules, the API's order models or notification planning
    (docs/performance.md). A fresh process, as Lambda starts one."""
    probe = textwrap.dedent(
        """
        import json, sys
        import boto3
        from moto import mock_aws
        from devstack.resources import create_tables
        with mock_aws():
            create_tables(boto3.client("dynamodb"))
            import app
            event = {"version": "0", "id": "s-1", "detail-type": "Scheduled Event",
                     "source": "aws.events", "account": "123456789012",
                     "time": "2026-12-22T08:00:00Z",
                     "region": "eu-central-1", "resources": [], "detail": {}}
            answer = app.sweep_due_orders(event, None)
        heavy = ("chalicelib.config", "chalicelib.domain.promise.schema",
                 "chalicelib.models.orders", "chalicelib.domain.notifications")
        loaded = [h for h in heavy if any(m == h or m.startswith(h + ".") for m in sys.modules)]
        print(json.dumps({"answer": answer, "loaded": loaded}))
        """
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    )

    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"answer": {"changed": 0, "failed": 0}, "loaded": []}


def test_one_order_the_sweep_cannot_handle_is_logged_counted_and_the_rest_go_on(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two silent parcels due for their check, and the first order's item unreadable
    scan = datetime.now(UTC) - timedelta(days=3)
    given_a_parcel_scanned_at(scan, latest=datetime.now(UTC) + timedelta(days=5), order_id="1000")
    given_a_parcel_scanned_at(
        scan, latest=datetime.now(UTC) + timedelta(days=5), tracking_number="JJD000000000000002"
    )
    table = boto3.resource("dynamodb").Table("promise-keeper")
    table.update_item(
        Key={"PK": "ORDER#1000", "SK": "ORDER"},
        UpdateExpression="SET #order.#status = :status",
        ExpressionAttributeNames={"#order": "order", "#status": "status"},
        ExpressionAttributeValues={":status": "lost_in_space"},
    )
    counted: list[tuple[str, float]] = []
    monkeypatch.setattr(
        sweep.metrics, "add_metric", lambda name, unit, value: counted.append((name, value))
    )
    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)  # type: ignore[attr-defined]

    # When the schedule runs
    try:
        with Client(app_under_test()) as lambdas:
            event = lambdas.events.generate_cw_event(
                source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
            )
            result = lambdas.lambda_.invoke("sweep_due_orders", event)
    finally:
        logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]

    # Then the other order is swept, the failing one logged by its id alone and counted
    assert result.payload == {"changed": 1, "failed": 1}
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert order["promise"]["state"] == "at_risk"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (failed,) = [line for line in lines if line["message"] == "due order could not be swept"]
    assert (failed["order_id"], failed["error"]) == ("1000", "ValueError")
    for personal in ("Anna", "anna@example.com", "+4915112345678", "Berlin"):
        assert personal not in stream.getvalue()
    assert ("OrdersSweepFailed", 1) in counted
