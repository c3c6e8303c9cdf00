"""Facts: what happened, written in the same transaction as the change that made it happen.

A fact is the outbox pattern applied to figures instead of messages. The use case that records a
rating, a delivered parcel or a return writes a FACT item beside its change; the table's stream
hands it to the projector (`handlers/projections.py`), which turns it into counter updates once.
Reports then read a few counter items instead of scanning what happened.

Each kind of fact owns a pydantic payload model next to its projection; the fact itself carries
the payload as plain JSON values so that this module knows no feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


class Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Stable for the change it records: a retried write of the same change yields the same id,
    # and the table refuses the second FACT item.
    fact_id: str
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CounterUpdate:
    """Add ``amounts`` to one counter: what (family), which slice (dimension), when (bucket).

    ``bucket`` sorts in time order (an ISO date ``2026-12-01`` or week ``2026-W49``), so a report
    reads a range of buckets with one query per shard. ``shards`` spreads the writes of a busy
    counter over that many items; every reader of the family must use the same number.
    """

    family: str
    dimension: str
    bucket: str
    amounts: Mapping[str, int]
    shards: int = 1


def merge_amounts(items: list[Mapping[str, int]]) -> dict[str, int]:
    """The shards (or buckets) of one counter added up."""
    total: dict[str, int] = {}
    for amounts in items:
        for name, amount in amounts.items():
            total[name] = total.get(name, 0) + amount
    return total
