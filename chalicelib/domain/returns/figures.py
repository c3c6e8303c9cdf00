"""Return figures from counters: the facts returns write, their projections, and the summary.

Three counters of the family ``returns``, bucketed by UTC day:
- ``orders``: orders registered (the denominator of the return rate),
- ``requests``: returns requested, with the returned items per reason (``reason:<code>``),
- ``refund_days``: returns refunded, as a histogram of whole days from request to refund
  (``d<n>``), from which the median is read without keeping every return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.facts import CounterUpdate, Fact, merge_amounts
from chalicelib.domain.returns.values import Reason, ReturnRecord

FAMILY = "returns"
ORDERS = "orders"
REQUESTS = "requests"
REFUND_DAYS = "refund_days"
DIMENSIONS = (ORDERS, REQUESTS, REFUND_DAYS)

ORDER_REGISTERED = "order_registered"
RETURN_REQUESTED = "return_requested"
RETURN_REFUNDED = "return_refunded"

REASON_PREFIX = "reason:"
DAYS_PREFIX = "d"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    day: date


class OrderRegistered(_Payload):
    pass


class ReturnRequested(_Payload):
    reasons: dict[Reason, int]  # returned items per reason


class ReturnRefunded(_Payload):
    days: int = Field(ge=0)  # whole days from the request to the refund


# -- facts (written by the use cases, beside their change) ------------------------------------
def order_registered(order_id: str, now: datetime) -> Fact:
    payload = OrderRegistered(day=now.date())
    return Fact(
        fact_id=f"{ORDER_REGISTERED}#{order_id}", kind=ORDER_REGISTERED, payload=_json(payload)
    )


def return_requested(record: ReturnRecord) -> Fact:
    reasons: dict[Reason, int] = {}
    for line in record.items:
        reasons[line.reason] = reasons.get(line.reason, 0) + line.quantity
    payload = ReturnRequested(day=record.requested_at.date(), reasons=reasons)
    return Fact(
        fact_id=f"{RETURN_REQUESTED}#{record.return_id}",
        kind=RETURN_REQUESTED,
        payload=_json(payload),
    )


def return_refunded(record: ReturnRecord, now: datetime) -> Fact:
    days = max(0, (now - record.requested_at).days)
    payload = ReturnRefunded(day=now.date(), days=days)
    return Fact(
        fact_id=f"{RETURN_REFUNDED}#{record.return_id}",
        kind=RETURN_REFUNDED,
        payload=_json(payload),
    )


def _json(payload: BaseModel) -> dict[str, Any]:
    return payload.model_dump(mode="json")


# -- projections (registered in services/projections.py) --------------------------------------
def count_order(payload: Mapping[str, Any]) -> Sequence[CounterUpdate]:
    fact = OrderRegistered.model_validate(payload)
    return [CounterUpdate(FAMILY, ORDERS, fact.day.isoformat(), {"count": 1})]


def count_request(payload: Mapping[str, Any]) -> Sequence[CounterUpdate]:
    fact = ReturnRequested.model_validate(payload)
    amounts = {"count": 1} | {f"{REASON_PREFIX}{r}": n for r, n in fact.reasons.items()}
    return [CounterUpdate(FAMILY, REQUESTS, fact.day.isoformat(), amounts)]


def count_refund(payload: Mapping[str, Any]) -> Sequence[CounterUpdate]:
    fact = ReturnRefunded.model_validate(payload)
    amounts = {"count": 1, f"{DAYS_PREFIX}{fact.days}": 1}
    return [CounterUpdate(FAMILY, REFUND_DAYS, fact.day.isoformat(), amounts)]


PROJECTIONS = {
    ORDER_REGISTERED: count_order,
    RETURN_REQUESTED: count_request,
    RETURN_REFUNDED: count_refund,
}


# -- the summary -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RankedReason:
    reason: str
    items: int


@dataclass(frozen=True, slots=True)
class ReturnsSummary:
    count: int
    orders: int
    rate: float | None  # returns per registered order; None without orders in the period
    reasons: tuple[RankedReason, ...]  # most returned items first
    refunded: int
    median_days_to_refund: float | None


def summarize(
    orders: Mapping[str, Mapping[str, int]],
    requests: Mapping[str, Mapping[str, int]],
    refund_days: Mapping[str, Mapping[str, int]],
) -> ReturnsSummary:
    """The figures of a period from its daily counter buckets (bucket → amounts)."""
    order_total = merge_amounts(list(orders.values())).get("count", 0)
    request_total = merge_amounts(list(requests.values()))
    count = request_total.get("count", 0)
    reasons = sorted(
        (
            RankedReason(name.removeprefix(REASON_PREFIX), n)
            for name, n in request_total.items()
            if name.startswith(REASON_PREFIX) and n > 0
        ),
        key=lambda r: (-r.items, r.reason),
    )
    histogram = merge_amounts(list(refund_days.values()))
    days = {
        int(name.removeprefix(DAYS_PREFIX)): n
        for name, n in histogram.items()
        if name.startswith(DAYS_PREFIX) and n > 0
    }
    return ReturnsSummary(
        count=count,
        orders=order_total,
        rate=round(count / order_total, 4) if order_total else None,
        reasons=tuple(reasons),
        refunded=sum(days.values()),
        median_days_to_refund=median_of_histogram(days),
    )


def median_of_histogram(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as value → how often; the mean of the middle two if even."""
    total = sum(histogram.values())
    if total == 0:
        return None
    ordered = sorted(histogram.items())

    def value_at(rank: int) -> int:  # the value at a 0-based rank of the sorted values
        seen = 0
        for value, times in ordered:
            seen += times
            if rank < seen:
                return value
        raise ValueError(rank)

    return (value_at((total - 1) // 2) + value_at(total // 2)) / 2
