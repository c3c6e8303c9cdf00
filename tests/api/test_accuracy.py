"""Promise accuracy over the real HTTP path: delivered parcels → facts → counters → report and
learned windows in the quote."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib import deps, settings
from chalicelib.domain.accuracy.delivered import KIND as DELIVERED
from chalicelib.models.accuracy import AccuracyReport
from chalicelib.services.projections import project
from chalicelib.store.counters import CounterRead, CounterStore
from tests.api.factories import (
    MERCHANT,
    body_of,
    order_body,
    post,
    received_after_its_scans,
    shipment_body,
)
from tests.api.test_notifications import stream_record
from tests.conftest import TEST_ENV
from tests.unit.tracking import senders

SECRET = TEST_ENV["PK_WEBHOOK_SECRET"]
BERLIN_LANE = "dhl|paket|WH-LEIPZIG|DE-10"


def given_a_parcel(
    client: Any, n: int, *, handed: datetime | None, delivered: datetime, promise: tuple[str, str]
) -> None:
    """Order n (standard to Berlin, promised `promise`) shipped, scanned and delivered."""
    order = order_body(
        f"A{n}", promise={"method": "standard", "earliest": promise[0], "latest": promise[1]}
    )
    first = min(at for at in (handed, delivered) if at is not None)
    if first < datetime.fromisoformat(order["placed_at"]):  # a scan before the order is skipped
        order["placed_at"] = (first - timedelta(hours=2)).isoformat()
    assert post(client, "/v1/orders", order).status_code == 201
    shipment = shipment_body(tracking_number=f"TRK{n:08d}")
    assert post(client, f"/v1/orders/A{n}/shipments", shipment).status_code == 201
    events = ([("in_transit", handed)] if handed else []) + [("delivered", delivered)]
    body = json.dumps(
        {
            "events": [
                {
                    "event_id": f"{n}-{status}",
                    "carrier": "dhl",
                    "tracking_number": f"TRK{n:08d}",
                    "status": status,
                    "occurred_at": at.isoformat(),
                }
                for status, at in events
            ]
        }
    ).encode()
    headers = {"Content-Type": "application/json"}
    headers |= senders.generic_headers(body, SECRET, datetime.now(UTC))
    with received_after_its_scans("generic", body):
        answer = client.post("/v1/webhooks/generic", headers=headers, body=body)
    assert body_of(answer)["accepted"] == len(events)


def project_the_stream(table: str) -> int:
    """What the stream hands the projector: every FACT item written so far."""
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    # The delivered parcels' facts (an order's registration writes one for the return rate).
    facts = [i for i in items if i["PK"]["S"].startswith("FACT#") and i["kind"]["S"] == DELIVERED]
    records = [stream_record(item, sequence=n) for n, item in enumerate(facts, 1)]
    return project(records, deps.counter_store(), datetime.now(UTC)).counted


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+01:00")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[CounterRead]:
    """Every counter read, with the number of items it read."""
    seen: list[CounterRead] = []
    original = CounterStore.read

    def spy(self: CounterStore, *args: Any, **kwargs: Any) -> CounterRead:
        result = original(self, *args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(CounterStore, "read", spy)
    return seen


def test_given_delivered_parcels_the_report_shows_how_well_the_promise_was_kept(
    client: Any, aws: dict[str, Any], reads: list[CounterRead]
) -> None:
    window = ("2026-12-22", "2026-12-23")
    given_a_parcel(
        client, 1, handed=berlin("2026-12-21T18:00"), delivered=berlin("2026-12-22T11:00"),
        promise=window,
    )  # fmt: skip
    given_a_parcel(
        client, 2, handed=berlin("2026-12-21T18:00"), delivered=berlin("2026-12-28T11:00"),
        promise=window,
    )  # fmt: skip
    # The carrier's clock is off: delivered "before" the handover. Counted, not learned from.
    given_a_parcel(
        client, 3, handed=berlin("2026-12-22T18:00"), delivered=berlin("2026-12-22T11:00"),
        promise=window,
    )  # fmt: skip
    assert project_the_stream(aws["table"]) == 3
    reads.clear()

    response = client.get(
        "/v1/promise/accuracy?from=2026-12-01&to=2026-12-31&carrier=dhl", headers=MERCHANT
    )

    assert response.status_code == 200
    report = body_of(response)
    AccuracyReport.model_validate(report)
    assert report["delivered"] == 3
    assert report["within_window"] == pytest.approx(2 / 3, abs=1e-4)
    assert report["early"] == 0
    assert report["late"] == {"1": 0, "2": 0, "3+": pytest.approx(1 / 3, abs=1e-4)}
    assert report["mean_window_days"] == 2
    assert report["lanes"] == [
        {
            "carrier": "dhl",
            "service": "paket",
            "origin": "WH-LEIPZIG",
            "destination": "DE-10",
            "delivered": 3,
            "within_window": pytest.approx(2 / 3, abs=1e-4),
            "window": {"source": "rule"},
        }
    ]
    # The report: one item per day with deliveries (a month is at most 31); then the learned
    # lanes for each lane's window source: at most 4 shards × 8 weeks, and here none yet.
    assert [read.items_read for read in reads] == [2, 0]


def test_the_lane_histogram_is_counted_once_per_parcel_and_skewed_clocks_are_left_out(
    client: Any, aws: dict[str, Any]
) -> None:
    given_a_parcel(
        client, 1, handed=berlin("2026-12-21T18:00"), delivered=berlin("2026-12-22T11:00"),
        promise=("2026-12-22", "2026-12-23"),
    )  # fmt: skip
    given_a_parcel(
        client, 2, handed=berlin("2026-12-22T18:00"), delivered=berlin("2026-12-22T11:00"),
        promise=("2026-12-22", "2026-12-23"),
    )  # fmt: skip
    assert project_the_stream(aws["table"]) == 2
    assert project_the_stream(aws["table"]) == 0  # the stream hands the batch again

    read = deps.counter_store().read("lanes", "all", "2026-W52", "2026-W52", shards=4)

    assert read.buckets == {"2026-W52": {f"{BERLIN_LANE}|n": 1, f"{BERLIN_LANE}|t1": 1,
                                         f"{BERLIN_LANE}|h0": 1}}  # fmt: skip


def test_a_lane_whose_parcels_all_end_in_exceptions_teaches_nothing(
    client: Any, aws: dict[str, Any]
) -> None:
    order = order_body("X1")
    assert post(client, "/v1/orders", order).status_code == 201
    shipment = shipment_body(tracking_number="TRKX0000001")
    assert post(client, "/v1/orders/X1/shipments", shipment).status_code == 201
    events = [
        {"event_id": f"x-{status}", "carrier": "dhl", "tracking_number": "TRKX0000001",
         "status": status, "occurred_at": at.isoformat()}
        for status, at in (("in_transit", berlin("2026-12-21T18:00")),
                           ("exception", berlin("2026-12-22T11:00")))
    ]  # fmt: skip
    body = json.dumps({"events": events}).encode()
    headers = {"Content-Type": "application/json"}
    headers |= senders.generic_headers(body, SECRET, datetime.now(UTC))
    with received_after_its_scans("generic", body):
        answer = client.post("/v1/webhooks/generic", headers=headers, body=body)
    assert body_of(answer)["accepted"] == 2

    assert project_the_stream(aws["table"]) == 0
    read = deps.counter_store().read("lanes", "all", "2026-W52", "2026-W52", shards=4)
    assert read.buckets == {}


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-12-31&to=2026-12-01",
        "from=2026-01-01&to=2027-12-31",
        "from=yesterday&to=2026-12-01",
        "to=2026-12-01",
        "from=2026-12-01&to=2026-12-31&carrier=DHL%20X",
        "from=2026-12-01&to=2026-12-31&colour=red",
    ],
)
def test_a_bad_report_query_is_a_validation_problem(client: Any, query: str) -> None:
    response = client.get(f"/v1/promise/accuracy?{query}", headers=MERCHANT)

    assert response.status_code == 422
    assert body_of(response)["code"] == "validation_error"


def test_the_report_is_for_the_merchant_only(client: Any) -> None:
    response = client.get("/v1/promise/accuracy?from=2026-12-01&to=2026-12-31")

    assert response.status_code == 401


def _standard(client: Any, at: datetime) -> dict[str, Any]:
    body = {
        "destination": {"country": "DE", "postal_code": "10115"},
        "items": [{"sku": "TSHIRT-M", "quantity": 1}],
        "at": at.isoformat(),
        "explain": True,
    }
    answer = client.post(
        "/v1/promise/quote", headers={"Content-Type": "application/json"}, body=json.dumps(body)
    )
    assert answer.status_code == 200
    return next(o for o in body_of(answer)["options"] if o["method"] == "standard")


def test_given_enough_parcels_on_a_lane_the_quote_uses_their_window(
    client: Any, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PK_LEARNED_MIN_PARCELS", "3")
    settings.reset_caches()
    deps.reset()
    # Three parcels of the last days, each delivered the day after its handover.
    today = datetime.now(UTC).date()
    for n in range(3):
        day = _weekday_before(today, n + 1)
        handed = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=16)
        given_a_parcel(
            client, n, handed=handed, delivered=handed + timedelta(hours=18),
            promise=(day.isoformat(), day.isoformat()),
        )  # fmt: skip
    ruled = _standard(client, datetime.now(UTC))
    assert project_the_stream(aws["table"]) == 3
    deps.reset()  # a new container: its cache reads the counters on the first quote

    learned = _standard(client, datetime.now(UTC))

    assert ruled["delivery"]["earliest"] != ruled["delivery"]["latest"]
    assert learned["delivery"]["earliest"] == learned["delivery"]["latest"]
    (source,) = [step for step in learned["explain"] if step["step"] == "window"]
    assert source["reason"] == "learned"
    assert source["detail"].startswith(
        "learned from 3 dhl/paket WH-LEIPZIG → DE-10 parcels: 100.0 %"
    )


def _weekday_before(today: date, n: int) -> date:
    """The n-th Monday–Thursday before today: the next day is a delivery day too."""
    day = today
    while n:
        day -= timedelta(days=1)
        if day.weekday() < 4:
            n -= 1
    return day


def test_unreadable_statistics_leave_the_quote_on_its_rules(
    client: Any, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PK_TABLE_NAME", "no-such-table")
    settings.reset_caches()
    deps.reset()

    standard = _standard(client, datetime.now(UTC))

    (source,) = [step for step in standard["explain"] if step["step"] == "window"]
    assert source == {"step": "window", "detail": "rule standard-de", "location": "WH-LEIPZIG",
                      "reason": "rule"}  # fmt: skip


def test_of_two_equally_narrow_learned_windows_the_quote_takes_the_later(
    client: Any, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 20 Berlin parcels: 1 took one delivery day, 18 two and 1 three, so that 1–2 and 2–3
    # days each covered 19 of them (95 %, the standard method's target share)
    monkeypatch.setenv("PK_LEARNED_MIN_PARCELS", "20")
    settings.reset_caches()
    deps.reset()
    rule = next(r for r in deps.promise_config().rules.rules if r.key == "standard-de")
    days = rule.delivery.calendar("BE")
    handed_on = _weekday_before(datetime.now(UTC).date(), 5)
    for n, transit in enumerate([1] + [2] * 18 + [3]):
        handed = datetime.combine(handed_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=16)
        delivered_on = date.fromordinal(days.nth_open_after(handed_on.toordinal(), transit))
        delivered = datetime.combine(delivered_on, datetime.min.time(), tzinfo=UTC)
        given_a_parcel(
            client, n, handed=handed, delivered=delivered + timedelta(hours=10),
            promise=(delivered_on.isoformat(), delivered_on.isoformat()),
        )  # fmt: skip
    assert project_the_stream(aws["table"]) == 20
    deps.reset()

    # When the next container quotes standard to Berlin
    learned = _standard(client, datetime.now(UTC))

    # Then the window is 2–3 delivery days after the handover, not 1–2: a day early
    # disappoints less than a day late
    (handling,) = [step for step in learned["explain"] if step["step"] == "handling"]
    handover = date.fromisoformat(handling["date"]).toordinal()
    assert (
        learned["delivery"]["earliest"]
        == date.fromordinal(days.nth_open_after(handover, 2)).isoformat()
    )
    assert (
        learned["delivery"]["latest"]
        == date.fromordinal(days.nth_open_after(handover, 3)).isoformat()
    )
    (source,) = [step for step in learned["explain"] if step["step"] == "window"]
    assert (
        source["detail"]
        == "learned from 20 dhl/paket WH-LEIPZIG → DE-10 parcels: 95.0 % within 2–3 days"
    )
