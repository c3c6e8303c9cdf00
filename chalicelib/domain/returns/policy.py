"""The return policy: which items of an order may still go back, and how many of each.

An item may be returned within ``window_days`` of the delivery of the shipment that carried it,
unless its SKU is non-returnable, and only as many as were delivered (within the window) minus
what earlier returns of the order already take back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import ReturnNotAllowed
from chalicelib.domain.returns.values import ReturnLine

DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    window_days: int = DEFAULT_WINDOW_DAYS
    non_returnable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DeliveredParcel:
    """A delivered shipment: when it arrived and what it carried (quantity per SKU)."""

    delivered_at: datetime
    quantities: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class OrderForReturn:
    """What the policy needs to know about the order at the moment of the request."""

    ordered: Mapping[str, int]  # quantity per SKU as registered
    delivered: Sequence[DeliveredParcel]
    returned: Mapping[str, int]  # quantity per SKU already taken back by earlier returns


def remaining(policy: ReturnPolicy, order: OrderForReturn, sku: str, now: datetime) -> int:
    """How many of ``sku`` may still be returned at ``now``."""
    window = timedelta(days=policy.window_days)
    delivered = sum(p.quantities.get(sku, 0) for p in order.delivered)
    in_window = sum(
        p.quantities.get(sku, 0) for p in order.delivered if now <= p.delivered_at + window
    )
    # Earlier returns take back the oldest parcels' items first, so at most what is delivered
    # in all minus returned, and never more than what is still inside its window.
    return max(0, min(in_window, delivered - order.returned.get(sku, 0)))


def check_request(
    policy: ReturnPolicy, order: OrderForReturn, lines: Sequence[ReturnLine], now: datetime
) -> None:
    """Raise ReturnNotAllowed (with one error per refused line) unless every line may go back."""
    wanted: dict[str, int] = {}
    problems: list[dict[str, object]] = []
    for index, line in enumerate(lines):
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        refusal = _refusal(policy, order, line.sku, wanted[line.sku], now)
        if refusal is not None:
            field, message = refusal
            problems.append({"loc": ["items", index, field], "msg": message})
    if problems:
        summary = "; ".join(str(p["msg"]) for p in problems)
        raise ReturnNotAllowed(f"the return policy does not allow this return: {summary}", problems)


def _refusal(
    policy: ReturnPolicy, order: OrderForReturn, sku: str, quantity: int, now: datetime
) -> tuple[str, str] | None:
    if sku not in order.ordered:
        return "sku", f"{sku} is not part of this order"
    if sku in policy.non_returnable:
        return "sku", f"{sku} cannot be returned"
    if not any(p.quantities.get(sku, 0) for p in order.delivered):
        return "sku", f"{sku} has not been delivered yet"
    left = remaining(policy, order, sku, now)
    if left == 0 and _window_closed(policy, order, sku, now):
        return "sku", f"the {policy.window_days}-day return window for {sku} has closed"
    if quantity > left:
        return "quantity", f"only {left} of {sku} can still be returned"
    return None


def _window_closed(policy: ReturnPolicy, order: OrderForReturn, sku: str, now: datetime) -> bool:
    window = timedelta(days=policy.window_days)
    carried = [p for p in order.delivered if p.quantities.get(sku, 0)]
    return all(now > p.delivered_at + window for p in carried)
