"""The projector: facts from the table's stream → counter updates, each fact counted once.

A kind of fact is counted by the projection registered for it in `PROJECTIONS`: a pure function
(in the domain) from the fact's payload to counter updates. Adding a report means a payload
model, a projection and one line here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from chalicelib.domain.accuracy.delivered import KIND as DELIVERED
from chalicelib.domain.accuracy.projection import project_delivered
from chalicelib.domain.facts import CounterUpdate, Fact
from chalicelib.domain.feedback import counting
from chalicelib.domain.returns import figures as return_figures
from chalicelib.store.counters import CounterStore, UnreadableFact, facts_in

Projection = Callable[[Mapping[str, Any]], Sequence[CounterUpdate]]

# kind of fact → its projection. Each feature registers its own.
PROJECTIONS: dict[str, Projection] = {
    **return_figures.PROJECTIONS,
    counting.FACT_KIND: counting.count_rating,
    DELIVERED: project_delivered,
}


@dataclass(slots=True)
class Projected:
    counted: int = 0
    repeats: int = 0  # facts counted before (the stream handed the batch again)
    unreadable: list[UnreadableFact] = field(default_factory=list)
    families: Counter[str] = field(default_factory=Counter)  # counters updated, by family


def project(
    records: Iterable[Mapping[str, Any]],
    counters: CounterStore,
    now: datetime,
    projections: Mapping[str, Projection] | None = None,
) -> Projected:
    """Count every fact in ``records`` once; raise on a store failure so the batch is retried.

    A fact that cannot be read, of an unknown kind or with an invalid payload, is reported and
    passed over: retrying would never fix it, and it must not hold back the facts behind it.
    """
    table = PROJECTIONS if projections is None else projections
    facts, unreadable = facts_in(records)
    result = Projected(unreadable=unreadable)
    for fact in facts:
        updates = _updates(fact, table, result)
        if updates is None:
            continue
        if counters.apply_once(fact.fact_id, updates, now):
            result.counted += 1
            result.families.update({u.family for u in updates})
        else:
            result.repeats += 1
    return result


def _updates(
    fact: Fact, table: Mapping[str, Projection], result: Projected
) -> Sequence[CounterUpdate] | None:
    projection = table.get(fact.kind)
    if projection is None:
        result.unreadable.append(UnreadableFact(fact.fact_id, f"unknown kind {fact.kind!r}"))
        return None
    try:
        return projection(fact.payload)
    except ValidationError as exc:
        result.unreadable.append(UnreadableFact(fact.fact_id, f"{exc.error_count()} error(s)"))
        return None
