"""An order's tracked state, and its re-evaluation from the shipments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.errors import IllegalTransition, InvalidInput
from chalicelib.domain.orders.due import next_check_at
from chalicelib.domain.orders.estimate import EstimateRule, estimated_delivery
from chalicelib.domain.orders.order_status import OrderStatus, derive_order_status, fulfilment
from chalicelib.domain.orders.policy import DEFAULT_POLICY, PromisePolicy
from chalicelib.domain.orders.promise_state import (
    ParcelProgress,
    PromiseState,
    PromiseWindow,
    promise_state,
)
from chalicelib.domain.orders.shipment import ShipmentState

# A merchant may cancel until goods reach the customer; after that it is a return.
_CANCELLABLE: frozenset[OrderStatus] = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.EXCEPTION,
    }
)


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidInput("quantity must be at least 1")


@dataclass(frozen=True)
class OrderState:
    order_id: str
    items: tuple[OrderLine, ...]
    window: PromiseWindow
    destination_zone: str  # IANA name: the zone delivery dates are counted in
    status: OrderStatus = OrderStatus.CONFIRMED
    promise_state: PromiseState = PromiseState.ON_TRACK
    check_due_at: datetime | None = None  # UTC; None when only an event can change anything

    def __post_init__(self) -> None:
        # The store loads lists and strings; normalise so equal states compare equal.
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "status", OrderStatus(self.status))
        object.__setattr__(self, "promise_state", PromiseState(self.promise_state))
        if not self.items:
            raise InvalidInput("an order needs at least one item")
        try:
            ZoneInfo(self.destination_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(f"unknown time zone {self.destination_zone!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.destination_zone)


def progress(
    shipment: ShipmentState,
    zone: ZoneInfo,
    now: datetime,
    estimate_from_rules: EstimateRule | None,
) -> ParcelProgress:
    return ParcelProgress(
        status=shipment.status,
        estimated_delivery=estimated_delivery(shipment, zone, now, estimate_from_rules),
        last_scan_at=shipment.last_scan_at,
        delivered_at=shipment.delivered_at,
    )


def evaluate_order(
    order: OrderState,
    shipments: Sequence[ShipmentState],
    now: datetime,
    policy: PromisePolicy = DEFAULT_POLICY,
    estimate_from_rules: EstimateRule | None = None,
) -> OrderState:
    """The order with status, promise state and next check derived from ``shipments`` at ``now``.

    Returns ``order`` itself when nothing changed, so the caller can skip the write. A cancelled
    order keeps its status and promise state; nothing about it is due any more.
    """
    if order.status is OrderStatus.CANCELLED:
        evaluated = replace(order, check_due_at=None)
    else:
        evaluated = _derive(order, shipments, now, policy, estimate_from_rules)
    return order if evaluated == order else evaluated


def _derive(
    order: OrderState,
    shipments: Sequence[ShipmentState],
    now: datetime,
    policy: PromisePolicy,
    estimate_from_rules: EstimateRule | None,
) -> OrderState:
    zone = order.zone
    facts = fulfilment(order.items, shipments)
    parcels = [progress(s, zone, now, estimate_from_rules) for s in shipments]
    state = promise_state(order.window, zone, parcels, facts.all_delivered, now, policy)
    return replace(
        order,
        status=derive_order_status(facts),
        promise_state=state,
        check_due_at=next_check_at(order.window, zone, parcels, state, now, policy),
    )


def cancel_order(order: OrderState) -> OrderState:
    """The explicitly cancelled order; cancelling twice changes nothing."""
    if order.status is OrderStatus.CANCELLED:
        return order
    if order.status not in _CANCELLABLE:
        raise IllegalTransition(f"an order that is {order.status} cannot be cancelled")
    return replace(order, status=OrderStatus.CANCELLED, check_due_at=None)
