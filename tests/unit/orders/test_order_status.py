"""The order status is derived from its lines and shipments by one precedence table."""

from __future__ import annotations

import pytest

from chalicelib.domain.orders import (
    Fulfilment,
    OrderLine,
    OrderStatus,
    ShipmentState,
    apply_event,
    derive_order_status,
    fulfilment,
)
from tests.unit.orders.builders import at, event, shipment

F, T = False, True


@pytest.mark.parametrize(
    ("any_left", "all_left", "any_delivered", "all_delivered", "any_trouble", "expected"),
    [
        # nothing with the carrier
        (F, F, F, F, F, OrderStatus.CONFIRMED),
        # shipping only
        (T, F, F, F, F, OrderStatus.PARTIALLY_SHIPPED),
        (T, T, F, F, F, OrderStatus.SHIPPED),
        # trouble outranks shipping
        (T, F, F, F, T, OrderStatus.EXCEPTION),
        (T, T, F, F, T, OrderStatus.EXCEPTION),
        (F, F, F, F, T, OrderStatus.EXCEPTION),
        # delivery outranks trouble
        (T, F, T, F, F, OrderStatus.PARTIALLY_DELIVERED),
        (T, T, T, F, F, OrderStatus.PARTIALLY_DELIVERED),
        (T, T, T, F, T, OrderStatus.PARTIALLY_DELIVERED),
        (T, T, T, T, F, OrderStatus.DELIVERED),
        (T, T, T, T, T, OrderStatus.DELIVERED),
    ],
)
def test_precedence_table(
    any_left: bool,
    all_left: bool,
    any_delivered: bool,
    all_delivered: bool,
    any_trouble: bool,
    expected: OrderStatus,
) -> None:
    facts = Fulfilment(any_left, all_left, any_delivered, all_delivered, any_trouble)

    assert derive_order_status(facts) is expected


def test_cancelled_is_never_derived() -> None:
    flags = [F, T]
    derived = {
        derive_order_status(Fulfilment(a, b, c, d, e))
        for a in flags
        for b in flags
        for c in flags
        for d in flags
        for e in flags
    }

    assert OrderStatus.CANCELLED not in derived


def at_status(state: ShipmentState, status: str | None) -> ShipmentState:
    return state if status is None else apply_event(state, event("e", status, at(1)))


ORDER = (OrderLine("TSHIRT", 2), OrderLine("MUG", 1))


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (None, None, OrderStatus.CONFIRMED),
        ("info_received", "info_received", OrderStatus.CONFIRMED),
        ("in_transit", None, OrderStatus.PARTIALLY_SHIPPED),
        ("in_transit", "info_received", OrderStatus.PARTIALLY_SHIPPED),
        ("in_transit", "out_for_delivery", OrderStatus.SHIPPED),
        ("available_for_pickup", "in_transit", OrderStatus.SHIPPED),
        ("delivered", "in_transit", OrderStatus.PARTIALLY_DELIVERED),
        ("delivered", "returned_to_sender", OrderStatus.PARTIALLY_DELIVERED),
        ("delivered", "delivered", OrderStatus.DELIVERED),
        ("exception", "in_transit", OrderStatus.EXCEPTION),
        ("failed_attempt", None, OrderStatus.EXCEPTION),
        ("returned_to_sender", "in_transit", OrderStatus.EXCEPTION),
    ],
)
def test_a_split_order_with_two_shipments(
    first: str | None, second: str | None, expected: OrderStatus
) -> None:
    shirts = at_status(shipment("S1", TSHIRT=2), first)
    mug = at_status(shipment("S2", MUG=1), second)

    assert derive_order_status(fulfilment(ORDER, [shirts, mug])) is expected


def test_quantities_count_per_sku_across_shipments() -> None:
    one_shirt = at_status(shipment("S1", TSHIRT=1, MUG=1), "delivered")
    other_shirt = at_status(shipment("S2", TSHIRT=1), "in_transit")

    partly = fulfilment(ORDER, [one_shirt, other_shirt])
    assert partly.all_left and partly.any_delivered and not partly.all_delivered

    both = fulfilment(ORDER, [one_shirt, at_status(shipment("S2", TSHIRT=1), "delivered")])
    assert both.all_delivered


def test_surplus_units_of_one_sku_do_not_cover_another() -> None:
    wrong_items = at_status(shipment("S1", TSHIRT=5), "delivered")

    facts = fulfilment(ORDER, [wrong_items])

    assert not facts.all_delivered
    assert derive_order_status(facts) is OrderStatus.PARTIALLY_DELIVERED
