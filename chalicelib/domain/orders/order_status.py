"""An order's status, derived from its lines and its shipments.

Precedence, first match wins (``cancelled`` is never derived, only set explicitly):

| # | condition                                                        | status              |
|---|------------------------------------------------------------------|---------------------|
| 1 | every ordered unit is in a delivered shipment                    | delivered           |
| 2 | some shipment is delivered                                       | partially_delivered |
| 3 | some shipment is failed_attempt, exception or returned_to_sender | exception           |
| 4 | every ordered unit is in a shipment the carrier has              | shipped             |
| 5 | some shipment is with the carrier (in_transit or later)          | partially_shipped   |
| 6 | otherwise (no shipment, or only info_received)                   | confirmed           |

Delivery outranks trouble because the customer already holds goods; trouble outranks plain
shipping because a parcel in trouble is the fact the merchant must act on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from chalicelib.domain.orders.shipment import ShipmentState
from chalicelib.domain.parcel_status import LEFT_WAREHOUSE, TROUBLE, ParcelStatus


class OrderStatus(StrEnum):
    CONFIRMED = "confirmed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    CANCELLED = "cancelled"


class Line(Protocol):
    @property
    def sku(self) -> str: ...

    @property
    def quantity(self) -> int: ...


@dataclass(frozen=True)
class Fulfilment:
    """The facts the precedence table looks at."""

    any_left: bool
    all_left: bool
    any_delivered: bool
    all_delivered: bool
    any_trouble: bool


def _quantities(lines: Iterable[Line]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in lines:
        counts[line.sku] += line.quantity
    return counts


def _covers(ordered: Counter[str], shipments: Iterable[ShipmentState]) -> bool:
    """Every ordered unit is in one of ``shipments`` (an order without lines is never covered)."""
    held = _quantities(line for shipment in shipments for line in shipment.items)
    return bool(ordered) and all(held[sku] >= quantity for sku, quantity in ordered.items())


def fulfilment(ordered: Iterable[Line], shipments: Sequence[ShipmentState]) -> Fulfilment:
    wanted = _quantities(ordered)
    left = [s for s in shipments if s.status in LEFT_WAREHOUSE]
    delivered = [s for s in shipments if s.status is ParcelStatus.DELIVERED]
    return Fulfilment(
        any_left=bool(left),
        all_left=_covers(wanted, left),
        any_delivered=bool(delivered),
        all_delivered=_covers(wanted, delivered),
        any_trouble=any(s.status in TROUBLE for s in shipments),
    )


def derive_order_status(facts: Fulfilment) -> OrderStatus:
    """Apply the precedence table of this module's docstring."""
    if facts.all_delivered:
        return OrderStatus.DELIVERED
    if facts.any_delivered:
        return OrderStatus.PARTIALLY_DELIVERED
    if facts.any_trouble:
        return OrderStatus.EXCEPTION
    if facts.all_left:
        return OrderStatus.SHIPPED
    if facts.any_left:
        return OrderStatus.PARTIALLY_SHIPPED
    return OrderStatus.CONFIRMED
