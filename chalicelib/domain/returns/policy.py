"""The return policy: which items of an order may still go back, how many of each, and for what.

An item may be returned within ``window_days`` of the delivery of the shipment that carried it,
unless its SKU is non-returnable, and only as many as were delivered (within the window) minus
what earlier returns of the order already take back. An exchange asks for a SKU the merchant
offers for the item (the order line's ``exchange_skus``), or for the same SKU.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from chalicelib.domain.errors import ReturnNotAllowed
from chalicelib.domain.returns.values import ReturnLine

DEFAULT_WINDOW_DAYS = 30
# How items come back, and who pays the return parcel: what the policy tells shoppers (schema.org
# MerchantReturnPolicy, GET /v1/returns/policy); the checks below do not depend on them.
ReturnMethod = Literal["by_mail", "in_store", "at_kiosk"]
ReturnFees = Literal["free", "customer", "shipping_fee"]


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    window_days: int = DEFAULT_WINDOW_DAYS
    non_returnable: frozenset[str] = frozenset()
    methods: tuple[ReturnMethod, ...] = ("by_mail",)
    fees: ReturnFees = "free"
    shipping_fee: Decimal | None = None  # with fees "shipping_fee": the amount, rules' currency
    countries: tuple[str, ...] = ()  # where the policy applies; empty: where the rules ship


@dataclass(frozen=True, slots=True)
class DeliveredParcel:
    """A delivered shipment: when it arrived and what it carried (quantity per SKU)."""

    delivered_at: datetime
    quantities: Mapping[str, int]


# Why a line may not go back (or, for a SKU, why nothing of it may go back any more); the
# customer's pages word each one in the customer's language.
RefusalKind = Literal[
    "not_in_order", "not_returnable", "not_delivered", "window_closed", "too_many"
]


@dataclass(frozen=True, slots=True)
class Refusal:
    """One refused line of a request: which, why, and how many of its SKU may still go back."""

    index: int
    sku: str
    kind: RefusalKind
    left: int = 0


class ReturnRefused(ReturnNotAllowed):
    """The policy's refusal, with each refused line's reason as a value as well as in words."""

    def __init__(
        self, message: str, errors: list[dict[str, object]], refusals: Sequence[Refusal]
    ) -> None:
        super().__init__(message, errors)
        self.refusals = tuple(refusals)


@dataclass(frozen=True, slots=True)
class ReturnableSku:
    """What the customer may still send back of one SKU of the order, for the return form.

    ``refusal`` says why nothing of it may go back now (None when ``left`` > 0); ``until`` is
    the end of the latest window among the parcels that carried it (None before any arrived).
    """

    sku: str
    ordered: int
    left: int
    until: datetime | None
    refusal: RefusalKind | None


@dataclass(frozen=True, slots=True)
class OrderForReturn:
    """What the policy needs to know about the order at the moment of the request."""

    ordered: Mapping[str, int]  # quantity per SKU as registered
    delivered: Sequence[DeliveredParcel]
    returned: Mapping[str, int]  # quantity per SKU already taken back by earlier returns
    # Per SKU, what the merchant offers in exchange for it (the order lines' exchange_skus);
    # a SKU without an entry may be exchanged for itself only.
    exchangeable: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def offered_for(self, sku: str) -> frozenset[str]:
        return self.exchangeable.get(sku) or frozenset({sku})


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
    refusals: list[Refusal] = []
    for index, line in enumerate(lines):
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        kind = _refusal(policy, order, line.sku, wanted[line.sku], now)
        if kind is not None:
            left = remaining(policy, order, line.sku, now) if kind == "too_many" else 0
            field = "quantity" if kind == "too_many" else "sku"
            message = _MESSAGES[kind].format(sku=line.sku, left=left, days=policy.window_days)
            problems.append({"loc": ["items", index, field], "msg": message})
            refusals.append(Refusal(index, line.sku, kind, left))
    if problems:
        summary = "; ".join(str(p["msg"]) for p in problems)
        raise ReturnRefused(
            f"the return policy does not allow this return: {summary}", problems, refusals
        )


def check_exchange(order: OrderForReturn, lines: Sequence[ReturnLine], wanted: str) -> None:
    """Raise ReturnNotAllowed unless every line may be exchanged for ``wanted``: a SKU the
    merchant offers for that item, or the item's own SKU where it offers none."""
    refused = sorted({line.sku for line in lines if wanted not in order.offered_for(line.sku)})
    if refused:
        message = f"{wanted} is not offered in exchange for {', '.join(refused)}"
        raise ReturnNotAllowed(
            f"the return policy does not allow this return: {message}",
            [{"loc": ["exchange_sku"], "msg": message}],
        )


def returnable(
    policy: ReturnPolicy, order: OrderForReturn, now: datetime
) -> tuple[ReturnableSku, ...]:
    """Each ordered SKU with what may still go back of it at ``now``, by the rules above."""
    window = timedelta(days=policy.window_days)
    skus = []
    for sku, ordered in order.ordered.items():
        arrivals = [p.delivered_at for p in order.delivered if p.quantities.get(sku, 0)]
        refusal = _refusal(policy, order, sku, 1, now)
        skus.append(
            ReturnableSku(
                sku=sku,
                ordered=ordered,
                left=remaining(policy, order, sku, now) if refusal is None else 0,
                until=max(arrivals) + window if arrivals else None,
                refusal=refusal,
            )
        )
    return tuple(skus)


_MESSAGES: dict[RefusalKind, str] = {
    "not_in_order": "{sku} is not part of this order",
    "not_returnable": "{sku} cannot be returned",
    "not_delivered": "{sku} has not been delivered yet",
    "window_closed": "the {days}-day return window for {sku} has closed",
    "too_many": "only {left} of {sku} can still be returned",
}


def _refusal(
    policy: ReturnPolicy, order: OrderForReturn, sku: str, quantity: int, now: datetime
) -> RefusalKind | None:
    if sku not in order.ordered:
        return "not_in_order"
    if sku in policy.non_returnable:
        return "not_returnable"
    if not any(p.quantities.get(sku, 0) for p in order.delivered):
        return "not_delivered"
    left = remaining(policy, order, sku, now)
    if left == 0 and _window_closed(policy, order, sku, now):
        return "window_closed"
    if quantity > left:
        return "too_many"
    return None


def _window_closed(policy: ReturnPolicy, order: OrderForReturn, sku: str, now: datetime) -> bool:
    window = timedelta(days=policy.window_days)
    carried = [p for p in order.delivered if p.quantities.get(sku, 0)]
    return all(now > p.delivered_at + window for p in carried)
