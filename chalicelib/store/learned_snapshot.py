"""The learned lanes' snapshot: one item holding every lane's transit histogram over the
horizon, kept by the projector and rewritten only when a lane's learned window changes.

A new API container reads this one item (one GetItem, a few KB) instead of the ``lanes``
counters' weekly buckets (LANE_SHARDS queries). Two projectors may refresh it at once; the
conditional write keeps the one read from the counters last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.store import keys
from chalicelib.store.attributes import from_attributes, to_attributes


@dataclass(frozen=True, slots=True)
class LearnedSnapshot:
    histograms: dict[str, dict[int, int]]  # lane key → transit days → parcels
    read_at: datetime  # when the counters it was made from were read
    first_week: str  # the horizon it covers, e.g. 2026-W41 … 2026-W48
    last_week: str


class LearnedSnapshotStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def read(self) -> LearnedSnapshot | None:
        answer = self._client.get_item(
            TableName=self._table, Key=to_attributes(keys.learned_snapshot_key())
        )
        if "Item" not in answer:
            return None
        item = from_attributes(answer["Item"])
        try:
            histograms = {
                lane: {int(days): int(count) for days, count in bins.items()}
                for lane, bins in json.loads(str(item["histograms"])).items()
            }
            return LearnedSnapshot(
                histograms=histograms,
                read_at=datetime.fromisoformat(str(item["read_at"])),
                first_week=str(item["first_week"]),
                last_week=str(item["last_week"]),
            )
        except (KeyError, ValueError, TypeError, AttributeError):
            return None  # not a snapshot this code can read: the caller reads the counters

    def write(self, snapshot: LearnedSnapshot) -> bool:
        """Store ``snapshot`` unless one read from the counters later is stored already."""
        item = {
            **keys.learned_snapshot_key(),
            "histograms": json.dumps(snapshot.histograms, separators=(",", ":"), sort_keys=True),
            "read_at": snapshot.read_at.isoformat(),
            "first_week": snapshot.first_week,
            "last_week": snapshot.last_week,
        }
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_attributes(item),
                ConditionExpression="attribute_not_exists(PK) OR read_at < :read_at",
                ExpressionAttributeValues=to_attributes({":read_at": item["read_at"]}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
