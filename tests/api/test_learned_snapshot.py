"""The learned lanes' snapshot: the projector keeps one item, rewritten only when a lane's window
changes; a new API container reads that one item instead of the lane counters' weekly buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib import deps
from chalicelib.domain.accuracy.delivered import KIND as DELIVERED
from chalicelib.domain.accuracy.learned import LearnedLanes, windows_differ
from chalicelib.domain.accuracy.projection import LANE_SHARDS, LANES, LANES_DIMENSION, week_of
from chalicelib.domain.facts import Fact
from chalicelib.services.learned_lanes import LearnedLaneCache, refresh_snapshot
from chalicelib.store import keys
from tests.api.conftest import app_under_test
from tests.api.test_notifications import lambda_context, stream_record
from tests.api.test_projections import write_fact

LANE = "dhl|paket|WH-LEIPZIG|DE-10"
NOW = datetime.now(UTC)


def add_parcels(transit: dict[int, int]) -> None:
    """Lane counters as the projector leaves them: the histogram over the lane's shards."""
    client = boto3.client("dynamodb")
    amounts = {f"{LANE}|n": sum(transit.values())}
    amounts |= {f"{LANE}|t{days}": count for days, count in transit.items()}
    key = keys.counter_key(LANES, LANES_DIMENSION, 0, week_of(NOW.date()))
    names = {f"#a{i}": name for i, name in enumerate(amounts)}
    client.update_item(
        TableName=deps.counter_store()._table,
        Key={k: {"S": v} for k, v in key.items()},
        UpdateExpression="ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(amounts))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={f":a{i}": {"N": str(v)} for i, v in enumerate(amounts.values())},
    )


def refresh(now: datetime = NOW) -> bool:
    return refresh_snapshot(
        deps.counter_store(), deps.learned_snapshots(),
        horizon_weeks=8, min_parcels=100, shares=[0.95], now=now,
    )  # fmt: skip


def cache() -> LearnedLaneCache:
    return LearnedLaneCache(
        deps.counter_store(), horizon_weeks=8, min_parcels=100, refresh_seconds=300,
        snapshots=deps.learned_snapshots(),
    )  # fmt: skip


def counter_queries() -> list[str]:
    """Record the DynamoDB operations the app's client makes from now on."""
    seen: list[str] = []
    deps.dynamodb().meta.events.register(
        "before-call.dynamodb", lambda model, **_: seen.append(model.name)
    )
    return seen


def test_a_new_container_reads_the_snapshot_alone(aws: dict[str, Any]) -> None:
    add_parcels({1: 115, 2: 5})
    assert refresh() is True
    calls = counter_queries()

    lanes = cache().current()

    assert lanes is not None
    window = lanes.window(LANE, 0.95)
    assert window is not None and (window.low, window.high, window.parcels) == (1, 1, 120)
    assert calls == ["GetItem"]  # one item, no counter query


def test_a_parcel_that_moves_no_window_does_not_rewrite_the_snapshot(aws: dict[str, Any]) -> None:
    add_parcels({1: 115, 2: 5})
    refresh()

    add_parcels({1: 1})
    kept = refresh(NOW + timedelta(seconds=1))
    add_parcels({2: 30})  # now 1 day covers 116 of 151: the window widens to 1–2 days
    moved = refresh(NOW + timedelta(seconds=2))

    assert (kept, moved) == (False, True)
    lanes = cache().current()
    assert lanes is not None
    window = lanes.window(LANE, 0.95)
    assert window is not None and (window.low, window.high) == (1, 2)


def test_before_any_snapshot_the_cache_reads_the_counters(aws: dict[str, Any]) -> None:
    add_parcels({1: 115, 2: 5})
    calls = counter_queries()

    lanes = cache().current()

    assert lanes is not None and lanes.window(LANE, 0.95) is not None
    assert calls == ["GetItem"] + ["Query"] * LANE_SHARDS


def test_an_older_reading_never_overwrites_a_newer_snapshot(aws: dict[str, Any]) -> None:
    add_parcels({1: 115, 2: 5})
    refresh(NOW)
    add_parcels({2: 30})

    assert refresh(NOW - timedelta(minutes=1)) is False  # a slower projector, read earlier
    lanes = cache().current()
    assert lanes is not None
    window = lanes.window(LANE, 0.95)
    assert window is not None and (window.low, window.high) == (1, 1)


def test_the_projector_refreshes_the_snapshot_after_counting_a_delivered_parcel(
    aws: dict[str, Any],
) -> None:
    add_parcels({1: 114, 2: 5})
    today = NOW.date()
    fact = Fact(
        fact_id="delivered-1",
        kind=DELIVERED,
        payload={
            "lane": LANE, "method": "standard", "delivered_on": today.isoformat(),
            "promised_earliest": today.isoformat(), "promised_latest": today.isoformat(),
            "window_days": 1, "learning": "used", "transit_days": 1, "handling_days": 0,
        },
    )  # fmt: skip
    record = stream_record(write_fact(aws["table"], fact))

    app_under_test().handler_map["project_counters"]({"Records": [record]}, lambda_context())

    snapshot = deps.learned_snapshots().read()
    assert snapshot is not None
    assert snapshot.histograms[LANE] == {1: 115, 2: 5}


@pytest.mark.parametrize(
    ("before", "after", "differ"),
    [
        ({1: 96, 2: 4}, {1: 97, 2: 4}, False),  # one more parcel, the same 1 day
        ({1: 96, 2: 4}, {1: 96, 2: 30}, True),  # widened to 1–2 days
        ({1: 50}, {1: 100}, True),  # reached the minimum: from the rule to learned
        ({}, {}, False),
    ],
)
def test_windows_differ_only_when_a_window_moves(
    before: dict[int, int], after: dict[int, int], differ: bool
) -> None:
    old = LearnedLanes({LANE: before} if before else {}, 0, 100)
    new = LearnedLanes({LANE: after} if after else {}, 0, 100)

    assert windows_differ(old, new, [0.95]) is differ


def test_a_snapshot_that_does_not_parse_is_passed_over_for_the_counters(
    aws: dict[str, Any],
) -> None:
    add_parcels({1: 115, 2: 5})
    boto3.client("dynamodb").put_item(
        TableName=aws["table"],
        Item={"PK": {"S": "LEARNED#lanes"}, "SK": {"S": "SNAPSHOT"}, "histograms": {"S": "{"}},
    )

    lanes = cache().current()

    assert lanes is not None and lanes.window(LANE, 0.95) is not None
