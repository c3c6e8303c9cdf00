"""The order use cases against the in-memory repository: races, conflicts and repeats.

The repository is held to the DynamoDB one's contract (test_repository_contract.py); here its
``before_write`` hook lets another writer in between a use case's read and its write, so the
retry and conflict paths run without AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from chalicelib.config.loader import load_config
from chalicelib.domain.customer_tokens import CustomerTokens
from chalicelib.domain.errors import Conflict
from chalicelib.domain.token_keys import TokenKeys
from chalicelib.domain.tracking import ParcelStatus, SkipReason, TrackingEvent
from chalicelib.models.orders import RegisterOrderRequest, RegisterShipmentRequest
from chalicelib.models.returns import ReturnView
from chalicelib.services.orders import Context, OrderService
from chalicelib.services.retry import MAX_ATTEMPTS
from chalicelib.services.returns import ReturnService
from tests.api.factories import order_body, shipment_body
from tests.unit.orders.memory import InMemoryOrderRepository

PLACED = datetime(2026, 12, 21, 9, 15, tzinfo=UTC)  # order_body's placed_at
NOW = datetime(2026, 12, 21, 15, tzinfo=UTC)
PARCEL = "00340434161094042557"


class NoReturns:
    """The return use cases as the order ones meet them, for a shop with no returns yet."""

    def record_parcel_event(self, event: TrackingEvent) -> SkipReason:
        return SkipReason.UNKNOWN_TRACKING_NUMBER

    def of_order(self, order_id: str) -> list[ReturnView]:
        return []


class World:
    """One in-memory store, the service over it, and the pauses its retries took."""

    def __init__(self) -> None:
        self.store = InMemoryOrderRepository()
        self.pauses: list[float] = []
        self.orders = OrderService(
            Context(
                repository=self.store,
                customer_tokens=CustomerTokens(TokenKeys("test-token-secret")),
                promise_token_secret="test-token-secret",
                public_base_url="https://track.shop.example",
                now=lambda: NOW,
                promise_config=load_config,
                returns=cast(ReturnService, NoReturns()),
                pause=self.pauses.append,
            )
        )

    def register(self, order_id: str = "1001", **overrides: Any) -> None:
        self.orders.register(RegisterOrderRequest.model_validate(order_body(order_id, **overrides)))

    def ship(self, order_id: str = "1001", **overrides: Any) -> None:
        request = RegisterShipmentRequest.model_validate(shipment_body(**overrides))
        self.orders.add_shipment(order_id, request)

    def interfere(self, action: Callable[[], object], times: int = 1) -> None:
        """Run ``action`` before each of the next ``times`` writes, as another writer would."""
        left = [times]

        def hook() -> None:
            if left[0] > 0:
                left[0] -= 1
                action()

        self.store.before_write = hook


def scan(event_id: str, status: ParcelStatus, step: int = 0, parcel: str = PARCEL) -> TrackingEvent:
    """A scan ``step`` times ten minutes after the first, which follows the order's placing
    (09:15 UTC) and precedes the clock (NOW): every one of them a plausible scan."""
    occurred_at = PLACED + timedelta(minutes=5 + 10 * step)
    return TrackingEvent(event_id, "generic", "dhl", parcel, status, occurred_at)


@pytest.fixture
def world() -> World:
    return World()


# -- registration --------------------------------------------------------------------------------
def test_the_same_registration_again_is_answered_alike_and_announced_once(world: World) -> None:
    request = RegisterOrderRequest.model_validate(order_body())

    first, created = world.orders.register(request)
    again, created_again = world.orders.register(request)

    assert (created, created_again) == (True, False)
    assert again == first
    assert [m.kind for m in world.store.outbox] == ["order_confirmed"]


def test_another_body_under_a_registered_id_is_a_conflict(world: World) -> None:
    world.register()
    before = world.store.get("1001")

    with pytest.raises(Conflict):
        world.register(placed_at="2026-12-21T11:00:00+01:00")

    assert world.store.get("1001") == before


def test_a_registration_that_loses_the_race_to_the_same_body_is_answered_as_a_repeat(
    world: World,
) -> None:
    request = RegisterOrderRequest.model_validate(order_body())
    world.interfere(lambda: world.orders.register(request))

    answer, created = world.orders.register(request)

    assert created is False
    assert answer.order_id == "1001"
    assert len(world.store.outbox) == 1  # the winner's announcement only


def test_a_registration_that_loses_the_race_to_another_body_is_a_conflict(world: World) -> None:
    world.interfere(lambda: world.register(placed_at="2026-12-21T11:00:00+01:00"))

    with pytest.raises(Conflict):
        world.register()


# -- shipments -----------------------------------------------------------------------------------
def test_the_same_shipment_again_is_answered_alike(world: World) -> None:
    world.register()
    request = RegisterShipmentRequest.model_validate(shipment_body())

    first, created = world.orders.add_shipment("1001", request)
    again, created_again = world.orders.add_shipment("1001", request)

    assert (created, created_again) == (True, False)
    assert again == first


def test_a_tracking_number_of_another_order_is_a_conflict(world: World) -> None:
    world.register("1001")
    world.register("1002")
    world.ship("1001")
    before = world.store.get("1002")

    with pytest.raises(Conflict):
        world.ship("1002")

    assert world.store.get("1002") == before


def test_a_shipment_that_loses_a_race_is_added_on_fresh_state(world: World) -> None:
    world.register()
    mug = [{"sku": "MUG-BLUE", "quantity": 1}]
    world.interfere(lambda: world.ship(shipment_id="S0", tracking_number="OTHER-1", items=mug))

    world.ship(items=[{"sku": "TSHIRT-M", "quantity": 2}])

    stored = world.store.get("1001")
    assert stored is not None
    assert [s.shipment_id for s in stored.shipments] == ["S0", "S1"]
    assert len(world.pauses) == 1


# -- carrier events ------------------------------------------------------------------------------
def test_an_event_that_loses_a_race_is_applied_on_fresh_state(world: World) -> None:
    world.register()
    world.ship()
    earlier = scan("evt-0", ParcelStatus.INFO_RECEIVED)
    world.interfere(lambda: world.orders.record_carrier_events([earlier]))

    result = world.orders.record_carrier_events([scan("evt-1", ParcelStatus.IN_TRANSIT, 1)])

    assert (result.accepted, result.duplicates) == (1, 0)
    assert [e.event.event_id for e in world.store.events("1001")] == ["evt-0", "evt-1"]
    stored = world.store.get("1001")
    assert stored is not None and stored.shipments[0].status is ParcelStatus.IN_TRANSIT
    assert len(world.pauses) == 1


def test_an_order_that_keeps_changing_is_a_conflict_and_nothing_is_written(world: World) -> None:
    world.register()
    world.ship()

    def another_writer() -> None:
        current = world.store.orders["1001"]
        world.store.orders["1001"] = replace(current, revision=current.revision + 1)

    world.interfere(another_writer, times=MAX_ATTEMPTS)

    with pytest.raises(Conflict):
        world.orders.record_carrier_events([scan("evt-1", ParcelStatus.IN_TRANSIT)])

    assert world.store.events("1001") == []
    assert len(world.pauses) == MAX_ATTEMPTS


def test_the_same_event_again_is_a_duplicate_and_announces_nothing(world: World) -> None:
    world.register()
    world.ship()
    world.orders.record_carrier_events([scan("evt-1", ParcelStatus.IN_TRANSIT)])
    announced = list(world.store.outbox)

    result = world.orders.record_carrier_events([scan("evt-1", ParcelStatus.IN_TRANSIT)])

    assert (result.accepted, result.duplicates) == (0, 1)
    assert world.store.outbox == announced


def test_an_event_stored_by_a_concurrent_delivery_is_a_duplicate(world: World) -> None:
    world.register()
    world.ship()
    event = scan("evt-1", ParcelStatus.IN_TRANSIT)
    world.interfere(lambda: world.orders.record_carrier_events([event]))

    result = world.orders.record_carrier_events([event])

    assert (result.accepted, result.duplicates) == (0, 1)
    assert len(world.store.events("1001")) == 1


def test_unknown_tracking_numbers_are_reported_once_each(world: World) -> None:
    result = world.orders.record_carrier_events(
        [
            scan("evt-1", ParcelStatus.IN_TRANSIT, parcel="NOBODYS-1"),
            scan("evt-2", ParcelStatus.DELIVERED, 1, parcel="NOBODYS-1"),
            scan("evt-3", ParcelStatus.IN_TRANSIT, parcel="NOBODYS-2"),
        ]
    )

    assert (result.accepted, result.duplicates) == (0, 0)
    assert result.unknown_tracking_numbers == ["NOBODYS-1", "NOBODYS-2"]


# -- many events in one webhook ------------------------------------------------------------------
def backlog(count: int, parcel: str = PARCEL) -> list[TrackingEvent]:
    return [scan(f"evt-{n}", ParcelStatus.IN_TRANSIT, n, parcel) for n in range(count)]


def test_a_parcels_events_commit_together_one_revision_each(world: World) -> None:
    world.register()
    world.ship()
    before = world.store.get("1001")
    assert before is not None
    committed = world.store.transactions

    result = world.orders.record_carrier_events(backlog(30))

    assert (result.accepted, result.duplicates) == (30, 0)
    assert world.store.transactions - committed == 1
    stored = world.store.get("1001")
    assert stored is not None and stored.revision == before.revision + 30


def test_an_event_seen_but_gone_from_the_timeline_is_a_duplicate_and_the_rest_commit(
    world: World,
) -> None:
    # Given evt-2 seen already, though the parcel's timeline no longer shows it
    world.register()
    world.ship()
    world.orders.record_carrier_events([scan("evt-2", ParcelStatus.IN_TRANSIT, 2)])
    del world.store.stored_events[("1001", "S1", "evt-2")]

    # When it comes again among new ones
    result = world.orders.record_carrier_events(backlog(5))

    # Then the table's refusal names it, and only it is a duplicate
    assert (result.accepted, result.duplicates) == (4, 1)
    assert sorted(e.event.event_id for e in world.store.events("1001")) == [
        "evt-0", "evt-1", "evt-3", "evt-4"
    ]  # fmt: skip
    assert world.pauses == []  # no race was lost: nothing to wait for


def test_a_race_between_a_batchs_transactions_loses_nothing_and_counts_exactly(
    world: World,
) -> None:
    # Given a backlog of 30 that takes three transactions of 10
    world.register()
    world.ship()
    world.store.changes_per_transaction = 10
    events = backlog(30)
    commits = world.store.transactions

    def racing_delivery() -> None:
        # another delivery of two events of the second transaction, and one of its own
        world.store.before_write = None
        racing = [events[12], events[15], scan("other", ParcelStatus.EXCEPTION, 13)]
        world.orders.record_carrier_events(racing)

    def second_transaction() -> None:
        if world.store.transactions == commits + 1:
            racing_delivery()

    world.store.before_write = second_transaction

    # When the backlog comes in
    result = world.orders.record_carrier_events(events)

    # Then
    assert (result.accepted, result.duplicates) == (28, 2)
    assert len(world.store.events("1001")) == 31
    stored = world.store.get("1001")
    assert stored is not None
    seen = {event_id for _, _, event_id in world.store.seen}
    assert seen == {e.event_id for e in events} | {"other"}
    assert stored.shipments[0].status is ParcelStatus.IN_TRANSIT
    assert stored.shipments[0].last_event_id == "evt-29"  # the newest
    assert len(world.pauses) == 1
