"""Each fact that changed becomes one outbox message with a deterministic id; nothing else does."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.orders import (
    OrderStatus,
    PromiseState,
    apply_event,
    outbox_messages,
)
from tests.unit.orders.builders import at, event, order, shipment

NOW = at(10)


def test_a_new_order_yields_order_confirmed() -> None:
    [message] = outbox_messages(None, order(), [], [], NOW)

    assert message.kind == "order_confirmed"
    assert message.message_id == "order_confirmed#1001#-#confirmed"
    assert (message.order_id, message.status, message.occurred_at) == ("1001", "confirmed", NOW)


def test_equal_states_yield_nothing() -> None:
    state = order()
    parcels = [apply_event(shipment(), event("e1", "in_transit", at(1)))]

    assert outbox_messages(state, state, parcels, parcels, NOW) == []


def test_a_shipment_registered_without_events_yields_nothing() -> None:
    assert outbox_messages(order(), order(), [], [shipment()], NOW) == []


def test_every_changed_fact_in_a_fixed_order() -> None:
    before_order = order()
    after_order = replace(
        before_order, status=OrderStatus.SHIPPED, promise_state=PromiseState.AT_RISK
    )
    before = [shipment("S2"), shipment("S1")]
    after = [
        apply_event(shipment("S2"), event("e2", "exception", at(4))),
        apply_event(shipment("S1"), event("e1", "in_transit", at(3))),
    ]

    messages = outbox_messages(before_order, after_order, before, after, NOW)

    assert [(m.kind, m.shipment_id, m.previous, m.status) for m in messages] == [
        ("shipment_status", "S1", None, "in_transit"),
        ("shipment_status", "S2", None, "exception"),
        ("order_status", None, "confirmed", "shipped"),
        ("promise_state", None, "on_track", "at_risk"),
    ]
    assert [m.message_id for m in messages] == [
        "shipment_status#1001#S1#in_transit",
        "shipment_status#1001#S2#exception",
        "order_status#1001#-#shipped",
        "promise_state#1001#-#at_risk",
    ]
    # A shipment change is dated by the carrier's event, the rest by the evaluation.
    assert [m.occurred_at for m in messages] == [at(3), at(4), NOW, NOW]
    assert all(type(m.status) is str and type(m.previous) in (str, type(None)) for m in messages)


def test_the_same_change_yields_the_same_messages() -> None:
    after = [apply_event(shipment(), event("e1", "delivered", at(3)))]
    delivered = replace(order(), status=OrderStatus.DELIVERED)

    first = outbox_messages(order(), delivered, [shipment()], after, NOW)
    second = outbox_messages(order(), delivered, [shipment()], after, NOW)

    assert first == second
    assert len(first) == 2
