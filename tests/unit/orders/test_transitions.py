"""Whole stories, as the store runs them: one call per carrier event, sweep or cancellation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import IllegalTransition, NotFound
from chalicelib.domain.orders import (
    OrderState,
    OrderStatus,
    Outcome,
    ParcelStatus,
    PromiseState,
    ShipmentEvent,
    ShipmentState,
    cancel,
    open_order,
    record_event,
    reevaluate,
)
from tests.unit.orders.builders import BERLIN, T0, Weekdays, at, event, order, shipment
from tests.unit.orders.strategies import arrival, distinct_events


def berlin(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=BERLIN)


class Story:
    """The stored state between calls, updated from each outcome as the store would."""

    def __init__(self, placed: OrderState, *shipments: ShipmentState) -> None:
        opened = open_order(placed, T0)
        self.order = opened.order
        self.shipments = {s.shipment_id: s for s in shipments}
        self.sent = [m.kind for m in opened.messages]

    def carrier(self, shipment_id: str, happened: ShipmentEvent, now: datetime) -> Outcome:
        outcome = record_event(
            self.order, list(self.shipments.values()), shipment_id, happened, now
        )
        return self._keep(outcome)

    def sweep(self, now: datetime) -> Outcome:
        return self._keep(reevaluate(self.order, list(self.shipments.values()), now))

    def _keep(self, outcome: Outcome) -> Outcome:
        self.order = outcome.order
        if outcome.shipment is not None:
            self.shipments[outcome.shipment.shipment_id] = outcome.shipment
        self.sent += [m.kind for m in outcome.messages]
        return outcome

    @property
    def summary(self) -> tuple[OrderStatus, PromiseState]:
        return self.order.status, self.order.promise_state


def test_a_split_order_with_two_shipments_delivered_on_time() -> None:
    story = Story(order(TSHIRT=2, MUG=1), shipment("S1", TSHIRT=2), shipment("S2", MUG=1))
    assert story.sent == ["order_confirmed"]
    assert story.order.check_due_at == datetime(2026, 12, 24, 23, 0, tzinfo=UTC)

    story.carrier("S1", event("a1", "info_received", at(1)), at(1))
    assert story.summary == (OrderStatus.CONFIRMED, PromiseState.ON_TRACK)

    story.carrier("S1", event("a2", "in_transit", at(3), date(2026, 12, 23)), at(3))
    assert story.summary == (OrderStatus.PARTIALLY_SHIPPED, PromiseState.ON_TRACK)
    assert story.order.check_due_at == at(51)

    story.carrier("S2", event("b1", "in_transit", at(4)), at(4))
    assert story.order.status is OrderStatus.SHIPPED

    story.carrier("S1", event("a3", "delivered", berlin(23, 10)), berlin(23, 10))
    assert story.summary == (OrderStatus.PARTIALLY_DELIVERED, PromiseState.ON_TRACK)

    story.carrier("S2", event("b2", "delivered", berlin(24, 15)), berlin(24, 15))
    assert story.summary == (OrderStatus.DELIVERED, PromiseState.KEPT)
    assert story.order.check_due_at is None

    assert story.sent == [
        "order_confirmed",
        "shipment_status",  # S1 info_received
        "shipment_status",  # S1 in_transit
        "order_status",  # partially_shipped
        "shipment_status",  # S2 in_transit
        "order_status",  # shipped
        "shipment_status",  # S1 delivered
        "order_status",  # partially_delivered
        "shipment_status",  # S2 delivered
        "order_status",  # delivered
        "promise_state",  # kept
    ]


def test_a_parcel_delivered_a_day_late_breaks_the_promise() -> None:
    story = Story(order(), shipment())
    story.carrier("S1", event("e1", "in_transit", berlin(23, 8)), berlin(23, 8))
    assert story.order.check_due_at == datetime(2026, 12, 24, 23, 0, tzinfo=UTC)

    story.sweep(story.order.check_due_at)
    assert story.summary == (OrderStatus.SHIPPED, PromiseState.LATE)
    assert story.order.check_due_at is None

    outcome = story.carrier("S1", event("e2", "delivered", berlin(25, 11)), berlin(25, 11))

    assert story.summary == (OrderStatus.DELIVERED, PromiseState.BROKEN)
    assert [(m.kind, m.previous, m.status) for m in outcome.messages] == [
        ("shipment_status", "in_transit", "delivered"),
        ("order_status", "shipped", "delivered"),
        ("promise_state", "late", "broken"),
    ]


def test_an_exception_then_a_later_delivery_keeps_the_promise() -> None:
    story = Story(order(), shipment())
    story.carrier("S1", event("e1", "in_transit", at(1)), at(1))

    story.carrier("S1", event("e2", "exception", berlin(22, 18)), berlin(22, 18))
    assert story.summary == (OrderStatus.EXCEPTION, PromiseState.AT_RISK)

    story.carrier("S1", event("e3", "delivered", berlin(23, 14)), berlin(23, 14))
    assert story.summary == (OrderStatus.DELIVERED, PromiseState.KEPT)


def test_an_exception_reported_after_the_delivery_but_older_tells_nobody() -> None:
    story = Story(order(), shipment())
    story.carrier("S1", event("e3", "delivered", berlin(23, 14)), berlin(23, 14))
    settled = story.order

    outcome = story.carrier("S1", event("e2", "exception", berlin(22, 18)), berlin(23, 15))

    assert outcome.messages == ()
    assert outcome.order is settled
    assert outcome.shipment is not None and outcome.shipment.last_event_id == "e3"
    assert story.shipments["S1"].status is ParcelStatus.DELIVERED


def test_the_same_event_applied_again_changes_and_sends_nothing() -> None:
    # The store keeps a duplicate from coming this far; should one slip through (its memory of
    # the event expired), applying it again is harmless all the same.
    story = Story(order(), shipment())
    first = story.carrier("S1", event("e1", "in_transit", at(1)), at(1))

    again = story.carrier("S1", event("e1", "in_transit", at(1)), at(2))

    assert again.messages == ()
    assert again.order == first.order
    assert again.shipment == first.shipment


def test_the_sweep_puts_a_silent_parcel_at_risk_once() -> None:
    story = Story(order(), shipment())
    story.carrier("S1", event("e1", "in_transit", at(1)), at(1))
    due = story.order.check_due_at
    assert due == at(49)

    first = story.sweep(due)
    second = story.sweep(due)

    assert [(m.kind, m.status) for m in first.messages] == [("promise_state", "at_risk")]
    assert second.messages == () and second.order is first.order
    assert first.order.check_due_at == datetime(2026, 12, 24, 23, 0, tzinfo=UTC)


def test_a_late_rule_estimate_puts_the_promise_at_risk() -> None:
    parcel = record_event(
        order(), [shipment()], "S1", event("e1", "in_transit", berlin(23, 20)), berlin(23, 20)
    )
    assert parcel.shipment is not None

    outcome = reevaluate(
        order(),
        [parcel.shipment],
        berlin(23, 21),
        estimate_from_rules=Weekdays(transit_min=2),
    )

    assert outcome.order.promise_state is PromiseState.AT_RISK


def test_an_event_for_a_shipment_the_order_does_not_have_is_not_found() -> None:
    with pytest.raises(NotFound):
        record_event(order(), [shipment("S1")], "S9", event("e1", "in_transit", at(1)), at(1))


def test_cancelling_is_explicit_sticky_and_idempotent() -> None:
    story = Story(order(), shipment())
    story.carrier("S1", event("e1", "in_transit", at(1)), at(1))

    cancelled = cancel(story.order, at(2))
    again = cancel(cancelled.order, at(3))
    later = reevaluate(cancelled.order, list(story.shipments.values()), berlin(26, 9))

    assert [(m.kind, m.status) for m in cancelled.messages] == [("order_status", "cancelled")]
    assert cancelled.order.check_due_at is None
    assert again.messages == () and again.order is cancelled.order
    assert later.order is cancelled.order


def test_a_delivered_order_cannot_be_cancelled() -> None:
    story = Story(order(), shipment())
    story.carrier("S1", event("e1", "delivered", at(1)), at(1))

    with pytest.raises(IllegalTransition):
        cancel(story.order, at(2))


def test_an_order_that_did_not_change_is_the_very_same_object() -> None:
    story = Story(order(), shipment())
    start = story.order

    story.carrier("S1", event("e1", "in_transit", at(1)), at(1))
    moved = story.order
    story.sweep(at(2))

    assert moved is not start and moved != start
    assert story.order is moved


@settings(max_examples=50)
@given(st.data(), distinct_events(max_size=5), distinct_events(max_size=5))
def test_the_order_ends_the_same_whatever_the_arrival_order(
    data: st.DataObject, first: list[ShipmentEvent], second: list[ShipmentEvent]
) -> None:
    tagged = [("S1", e) for e in first] + [
        ("S2", replace(e, event_id="2" + e.event_id)) for e in second
    ]
    now = at(5)  # after every generated event

    def run(
        arrived: list[tuple[str, ShipmentEvent]],
    ) -> tuple[OrderState, dict[str, ShipmentState]]:
        story = Story(order(TSHIRT=1, MUG=1), shipment("S1", TSHIRT=1), shipment("S2", MUG=1))
        for shipment_id, happened in arrived:
            story.carrier(shipment_id, happened, now)
        return story.order, story.shipments

    assert run(data.draw(arrival(tagged))) == run(tagged)
