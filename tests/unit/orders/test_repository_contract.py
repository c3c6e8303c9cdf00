"""One contract, two order repositories: DynamoDB (on moto) and the in-memory one.

Whatever the use cases rely on the store for — reading back what was written, refusing a stale
revision, a duplicate event, a tracking number of another order — both must do alike, or the
use-case tests run against the in-memory one would prove nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib import deps
from chalicelib.domain.errors import Conflict
from chalicelib.domain.orders import (
    OrderLine,
    OrderState,
    ParcelStatus,
    PromiseWindow,
    ShipmentEvent,
    ShipmentLine,
    ShipmentState,
)
from chalicelib.store.orders import DuplicateEvent, OrderExists, OrderStore, RevisionConflict
from chalicelib.store.records import (
    CustomerRecord,
    DestinationRecord,
    ItemRecord,
    OrderRecord,
    PromiseRecord,
    StoredEvent,
    StoredOrder,
)
from tests.unit.orders.memory import InMemoryOrderRepository

NOW = datetime(2026, 12, 21, 9, tzinfo=UTC)


def registered(order_id: str = "1001", due: datetime | None = None) -> StoredOrder:
    record = OrderRecord(
        placed_at=NOW,
        items=(ItemRecord("TSHIRT-M", 2, "T-Shirt M"),),
        promise=PromiseRecord("standard", date(2026, 12, 22), date(2026, 12, 23), "merchant"),
        body_hash="hash-" + order_id,
        customer=CustomerRecord("Anna", "anna@example.com", None, "de-DE", ("email",), None),
        destination=DestinationRecord("DE", "10115", "Berlin"),
    )
    order = OrderState(
        order_id=order_id,
        items=(OrderLine("TSHIRT-M", 2),),
        window=PromiseWindow(date(2026, 12, 22), date(2026, 12, 23)),
        destination_zone="Europe/Berlin",
        check_due_at=due,
    )
    return StoredOrder(record=record, order=order, shipments=(), revision=1)


def shipped(stored: StoredOrder, tracking_number: str = "TRK-1") -> StoredOrder:
    shipment = ShipmentState("S1", "dhl", tracking_number, (ShipmentLine("TSHIRT-M", 2),))
    return replace(stored, shipments=(shipment,), revision=stored.revision + 1)


def scanned(event_id: str = "evt-1") -> StoredEvent:
    return StoredEvent("S1", ShipmentEvent(event_id, ParcelStatus.IN_TRANSIT, NOW), "generic", NOW)


@pytest.fixture(params=["memory", "dynamodb"])
def repository(request: pytest.FixtureRequest) -> Iterator[OrderStore]:
    if request.param == "memory":
        yield InMemoryOrderRepository()
    else:
        request.getfixturevalue("aws")
        yield deps.order_repository()


class TestOrderRepositoryContract:
    def test_what_was_created_is_read_back_whole(self, repository: OrderStore) -> None:
        stored = registered()

        repository.create(stored, [], NOW)

        assert repository.get("1001") == stored
        assert repository.get("1002") is None

    def test_an_order_id_is_registered_once(self, repository: OrderStore) -> None:
        repository.create(registered(), [], NOW)

        with pytest.raises(OrderExists):
            repository.create(registered(), [], NOW)

    def test_a_save_on_the_revision_read_commits(self, repository: OrderStore) -> None:
        before = registered()
        repository.create(before, [], NOW)
        after = shipped(before)

        repository.save(before, after, [], NOW)

        assert repository.get("1001") == after

    def test_a_save_on_a_stale_revision_is_refused_and_changes_nothing(
        self, repository: OrderStore
    ) -> None:
        before = registered()
        repository.create(before, [], NOW)
        repository.save(before, shipped(before), [], NOW)

        with pytest.raises(RevisionConflict):
            repository.save(before, shipped(before, "TRK-2"), [], NOW)

        assert repository.get("1001") == shipped(before)

    def test_the_tracking_copy_holds_the_order_without_personal_data(
        self, repository: OrderStore
    ) -> None:
        before = registered()
        repository.create(before, [], NOW)
        repository.save(before, shipped(before), [], NOW)

        copy = repository.by_tracking("TRK-1")

        assert copy is not None
        assert (copy.order, copy.shipments, copy.revision) == (
            shipped(before).order,
            shipped(before).shipments,
            2,
        )
        assert copy.record.customer is None and copy.record.destination is None
        assert copy.record.promise == before.record.promise
        assert repository.by_tracking("TRK-UNKNOWN") is None

    def test_a_save_from_the_tracking_copy_keeps_the_customer(self, repository: OrderStore) -> None:
        before = registered()
        repository.create(before, [], NOW)
        repository.save(before, shipped(before), [], NOW)
        copy = repository.by_tracking("TRK-1")
        assert copy is not None

        repository.save(copy, replace(copy, revision=3), [], NOW, event=scanned())

        stored = repository.get("1001")
        assert stored is not None
        assert stored.record.customer == before.record.customer
        assert stored.revision == 3

    def test_an_event_is_stored_once(self, repository: OrderStore) -> None:
        before = shipped(registered())
        repository.create(registered(), [], NOW)
        repository.save(registered(), before, [], NOW, event=scanned())

        with pytest.raises(DuplicateEvent):
            repository.save(before, replace(before, revision=3), [], NOW, event=scanned())

        assert repository.events("1001") == [scanned()]
        assert repository.events("1002") == []

    def test_a_tracking_number_belongs_to_one_order(self, repository: OrderStore) -> None:
        first, second = registered("1001"), registered("1002")
        repository.create(first, [], NOW)
        repository.create(second, [], NOW)
        repository.save(first, shipped(first), [], NOW)

        with pytest.raises(Conflict):
            repository.save(second, shipped(second), [], NOW)

        assert repository.get("1002") == second

    def test_orders_are_due_once_their_check_time_has_come(self, repository: OrderStore) -> None:
        repository.create(registered("1001", due=NOW + timedelta(hours=1)), [], NOW)
        repository.create(registered("1002", due=NOW + timedelta(hours=3)), [], NOW)
        repository.create(registered("1003"), [], NOW)

        assert repository.due_order_ids(NOW) == []
        assert repository.due_order_ids(NOW + timedelta(hours=2)) == ["1001"]
        assert sorted(repository.due_order_ids(NOW + timedelta(hours=3))) == ["1001", "1002"]

    def test_a_new_order_has_an_empty_notification_log(self, repository: OrderStore) -> None:
        repository.create(registered(), [], NOW)

        log = repository.notifications("1001")

        assert (log.sent, log.skipped) == ((), ())
