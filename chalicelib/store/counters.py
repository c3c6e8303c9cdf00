"""Facts and the counters made from them (see `domain/facts.py`).

A use case adds `fact_put(...)` to its own transaction. The projector reads FACT inserts from the
stream (`facts_in`) and applies each fact's counter updates once: the counters' ADDs and a
`counted_at` mark on the fact commit in one transaction conditioned on the mark being absent, so
a stream batch handed again (at-least-once) never counts a fact twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pydantic import ValidationError

from chalicelib.domain.facts import CounterUpdate, Fact
from chalicelib.store import keys
from chalicelib.store.attributes import from_attributes, to_attributes

# Longer than the stream keeps records (24 h): a fact is still there when its record is retried.
FACT_RETENTION = timedelta(days=7)
MAX_UPDATES_PER_FACT = 99  # a transaction holds 100 actions; one is the fact's own mark


def fact_put(table_name: str, fact: Fact, now: datetime) -> dict[str, Any]:
    """The Put of a fact, for the caller's TransactWriteItems.

    Conditioned on absence: a retried change cannot write its fact twice, and the caller's
    cancellation handling sees the same outcome as for its own conditional item.
    """
    item = {
        **keys.fact_key(fact.fact_id),
        "kind": fact.kind,
        "payload": json.dumps(fact.payload, separators=(",", ":")),
        "expires_at": int((now + FACT_RETENTION).timestamp()),
    }
    return {
        "Put": {
            "TableName": table_name,
            "Item": to_attributes(item),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


@dataclass(frozen=True, slots=True)
class UnreadableFact:
    """A FACT insert that does not parse: retrying would never fix it."""

    sequence_number: str | None
    error: str


def facts_in(records: Iterable[Mapping[str, Any]]) -> tuple[list[Fact], list[UnreadableFact]]:
    """The facts newly written in a stream batch; every other change is ignored."""
    facts: list[Fact] = []
    unreadable: list[UnreadableFact] = []
    for record in records:
        change = record.get("dynamodb", {})
        pk = change.get("Keys", {}).get("PK", {}).get("S", "")
        if record.get("eventName") != "INSERT" or not keys.is_fact(pk):
            continue
        image = from_attributes(change.get("NewImage", {}))
        try:
            facts.append(
                Fact(
                    fact_id=pk.split("#", 1)[1],
                    kind=str(image["kind"]),
                    payload=json.loads(image["payload"]),
                )
            )
        except (KeyError, ValueError, ValidationError) as exc:
            unreadable.append(UnreadableFact(change.get("SequenceNumber"), type(exc).__name__))
    return facts, unreadable


@dataclass(frozen=True, slots=True)
class CounterRead:
    """A counter's buckets in a range (shards added up), and how many items that read."""

    buckets: dict[str, dict[str, int]]
    items_read: int


class CounterStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def apply_once(self, fact_id: str, updates: Sequence[CounterUpdate], now: datetime) -> bool:
        """Add ``updates`` unless this fact was counted before; False when it was."""
        if len(updates) > MAX_UPDATES_PER_FACT:
            raise ValueError(f"a fact may update at most {MAX_UPDATES_PER_FACT} counters")
        mark = {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.fact_key(fact_id)),
                "UpdateExpression": "SET counted_at = :now",
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(counted_at)",
                "ExpressionAttributeValues": to_attributes({":now": now.isoformat()}),
            }
        }
        adds = [self._add(fact_id, update) for update in updates if update.amounts]
        try:
            self._client.transact_write_items(TransactItems=[mark, *adds])
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True

    def _add(self, fact_id: str, update: CounterUpdate) -> dict[str, Any]:
        shard = keys.counter_shard(fact_id, update.shards)
        amounts = list(update.amounts.items())
        names = {f"#a{i}": name for i, (name, _) in enumerate(amounts)}
        values = {f":a{i}": amount for i, (_, amount) in enumerate(amounts)}
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(
                    keys.counter_key(update.family, update.dimension, shard, update.bucket)
                ),
                "UpdateExpression": "ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(amounts))),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_attributes(values),
            }
        }

    def read(
        self, family: str, dimension: str, first: str, last: str, shards: int = 1
    ) -> CounterRead:
        """Buckets ``first``..``last`` (inclusive) of one counter, its shards added up."""
        buckets: dict[str, dict[str, int]] = {}
        items_read = 0
        for shard in range(shards):
            pk = keys.counter_key(family, dimension, shard, first)["PK"]
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "PK = :pk AND SK BETWEEN :first AND :last",
                "ExpressionAttributeValues": to_attributes(
                    {":pk": pk, ":first": first, ":last": last}
                ),
            }
            while True:
                page = self._client.query(**kwargs)
                for raw in page.get("Items", []):
                    items_read += 1
                    item = from_attributes(raw)
                    bucket = buckets.setdefault(str(item["SK"]), {})
                    for name, amount in item.items():
                        if name not in ("PK", "SK"):
                            bucket[name] = bucket.get(name, 0) + int(amount)
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return CounterRead(buckets, items_read)
