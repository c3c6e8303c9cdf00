"""The counter projector on moto: each fact counted once, facts it cannot count passed over."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import boto3
import pytest
from pydantic import BaseModel

from chalicelib import deps
from chalicelib.domain.facts import CounterUpdate, Fact
from chalicelib.services.projections import project
from chalicelib.store import keys
from chalicelib.store.counters import fact_put
from tests.api.test_notifications import stream_record

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Rated(BaseModel):
    day: str
    rating: int


def count_ratings(payload: Mapping[str, Any]) -> Sequence[CounterUpdate]:
    rated = Rated.model_validate(payload)
    return [
        CounterUpdate("ratings", "all", rated.day, {"count": 1, "sum": rated.rating}, shards=2),
        CounterUpdate("ratings", f"score={rated.rating}", rated.day, {"count": 1}),
    ]


PROJECTIONS = {"rated": count_ratings}


def fact_in_transaction(table: str, fact: Fact) -> TransactWriteItemTypeDef:
    """The fact's Put as the order store hands it to TransactWriteItems (cast there too)."""
    return cast("TransactWriteItemTypeDef", fact_put(table, fact, NOW))


def write_fact(table: str, fact: Fact) -> dict[str, Any]:
    """The fact as a use case writes it (in a transaction), and as the stream then shows it."""
    client = boto3.client("dynamodb")
    client.transact_write_items(TransactItems=[fact_in_transaction(table, fact)])
    return client.get_item(TableName=table, Key=_key(fact.fact_id))["Item"]


def _key(fact_id: str) -> dict[str, Any]:
    return {name: {"S": value} for name, value in keys.fact_key(fact_id).items()}


def rated(fact_id: str, day: str, rating: int) -> Fact:
    return Fact(fact_id=fact_id, kind="rated", payload={"day": day, "rating": rating})


def test_each_fact_is_counted_once_even_when_the_stream_hands_it_again(
    aws: dict[str, Any],
) -> None:
    table = aws["table"]
    records = [
        stream_record(write_fact(table, rated(f"r{n}", "2026-12-01", n)), sequence=n)
        for n in (7, 9, 10)
    ]

    first = project(records, deps.counter_store(), NOW, PROJECTIONS)
    again = project(records, deps.counter_store(), NOW, PROJECTIONS)

    assert (first.counted, first.repeats) == (3, 0)
    assert (again.counted, again.repeats) == (0, 3)
    read = deps.counter_store().read("ratings", "all", "2026-12-01", "2026-12-31", shards=2)
    assert read.buckets == {"2026-12-01": {"count": 3, "sum": 26}}
    assert read.items_read <= 2  # one item per shard that took a write
    nines = deps.counter_store().read("ratings", "score=9", "2026-12-01", "2026-12-01")
    assert nines.buckets == {"2026-12-01": {"count": 1}}


def test_a_range_reads_only_its_own_buckets(aws: dict[str, Any]) -> None:
    table = aws["table"]
    days = ["2026-11-30", "2026-12-01", "2026-12-15", "2027-01-01"]
    records = [
        stream_record(write_fact(table, rated(f"d{n}", day, 5)), sequence=n)
        for n, day in enumerate(days)
    ]
    project(records, deps.counter_store(), NOW, PROJECTIONS)

    read = deps.counter_store().read("ratings", "all", "2026-12-01", "2026-12-31", shards=2)

    assert sorted(read.buckets) == ["2026-12-01", "2026-12-15"]


@pytest.mark.parametrize(
    "fact",
    [
        Fact(fact_id="u1", kind="no_such_kind", payload={}),
        Fact(fact_id="u2", kind="rated", payload={"day": "2026-12-01", "rating": "many"}),
    ],
)
def test_a_fact_that_cannot_be_counted_is_reported_and_does_not_hold_back_the_rest(
    aws: dict[str, Any], fact: Fact
) -> None:
    table = aws["table"]
    records = [
        stream_record(write_fact(table, fact), sequence=1),
        stream_record(write_fact(table, rated("good", "2026-12-01", 8)), sequence=2),
    ]

    result = project(records, deps.counter_store(), NOW, PROJECTIONS)

    assert result.counted == 1
    assert [u.sequence_number for u in result.unreadable] == [fact.fact_id]


def test_only_inserted_facts_count(aws: dict[str, Any]) -> None:
    item = write_fact(aws["table"], rated("m1", "2026-12-01", 4))
    other = {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}}

    result = project(
        [stream_record(item, event_name="MODIFY"), stream_record(other)],
        deps.counter_store(),
        NOW,
        PROJECTIONS,
    )

    assert (result.counted, result.unreadable) == (0, [])


def test_the_same_fact_written_twice_is_refused_by_the_table(aws: dict[str, Any]) -> None:
    client = boto3.client("dynamodb")
    fact = rated("twice", "2026-12-01", 6)
    client.transact_write_items(TransactItems=[fact_in_transaction(aws["table"], fact)])

    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[fact_in_transaction(aws["table"], fact)])
