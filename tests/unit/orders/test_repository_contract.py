"""One contract, two order repositories: DynamoDB (on moto) and the in-memory one.

Whatever the use cases rely on the store for — reading back what was written, refusing a stale
revision, a duplicate event, a tracking number of another order — both must do alike, or the
use-case tests run against the in-memory one would prove nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from chalicelib import deps
from chalicelib.domain.errors import Conflict
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.store import records
from chalicelib.store.orders import (
    DuplicateEvent,
    OrderExists,
    OrderStore,
    RevisionConflict,
)
from tests.unit.orders.builders import at, event, order, shipment
from tests.unit.orders.memory import InMemoryOrderRepository

NOW = at(0)
ANNA = records.CustomerRecord("Anna", "anna@example.com", None, "de-DE", ("email",), None)


def registered(order_id: str = "1001", due: datetime | None = None) -> records.StoredOrder:
    record = records.OrderRecord(
        placed_at=NOW,
        items=(records.ItemRecord("TSHIRT", 1, "T-Shirt M"),),
        promise=records.PromiseRecord("standard", date(2026, 12, 23), date(2026, 12, 24), "token"),
        body_hash="hash-" + order_id,
        customer=ANNA,
        destination=records.DestinationRecord("DE", "10115", "Berlin"),
    )
    state = replace(order(), order_id=order_id, check_due_at=due)
    return records.StoredOrder(record=record, order=state, shipments=(), revision=1)


def shipped(stored: records.StoredOrder, tracking_number: str = "TRK-S1") -> records.StoredOrder:
    parcel = replace(shipment(), tracking_number=tracking_number)
    return replace(stored, shipments=(parcel,), revision=stored.revision + 1)


def change(
    before: records.StoredOrder, after: records.StoredOrder, event_id: str | None = None
) -> records.OrderChange:
    if event_id is None:
        return records.OrderChange(before, after, (), NOW)
    scan = records.StoredEvent("S1", event(event_id, "in_transit", NOW), "generic", NOW)
    return records.OrderChange(before, after, (), NOW, scan)


def scans(
    start: records.StoredOrder, event_ids: Sequence[str], announce: bool = False
) -> list[records.OrderChange]:
    """Consecutive changes of one order, one per event (each announcing it, if ``announce``)."""
    changes, current = [], start
    for event_id in event_ids:
        after = replace(current, revision=current.revision + 1)
        scan = records.StoredEvent("S1", event(event_id, "in_transit", NOW), "generic", NOW)
        kind, order_id = "shipment_status", start.order_id
        messages = [
            OutboxMessage(
                message_id=OutboxMessage.make_id(kind, order_id, "S1", event_id),
                kind=kind,
                order_id=order_id,
                occurred_at=NOW,
            )
        ]
        changes.append(records.OrderChange(current, after, messages if announce else (), NOW, scan))
        current = after
    return changes


@pytest.fixture(params=["memory", "dynamodb"])
def repository(request: pytest.FixtureRequest) -> Iterator[OrderStore]:
    if request.param == "memory":
        yield InMemoryOrderRepository()
    else:
        request.getfixturevalue("aws")
        yield deps.order_repository()


@pytest.fixture
def with_parcel(repository: OrderStore) -> records.StoredOrder:
    """Order 1001 registered, then shipped as parcel TRK-S1 (revision 2)."""
    repository.create(registered(), [], NOW)
    repository.save(change(registered(), shipped(registered())))
    return shipped(registered())


class TestOrderRepositoryContract:
    def test_what_was_created_is_read_back_whole(self, repository: OrderStore) -> None:
        repository.create(registered(), [], NOW)

        assert repository.get("1001") == registered()
        assert repository.get("1002") is None

    def test_an_order_id_is_registered_once(self, repository: OrderStore) -> None:
        repository.create(registered(), [], NOW)

        with pytest.raises(OrderExists):
            repository.create(registered(), [], NOW)

    def test_a_save_on_the_revision_read_commits(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        assert repository.get("1001") == with_parcel

    def test_a_save_on_a_stale_revision_is_refused_and_changes_nothing(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        with pytest.raises(RevisionConflict):
            repository.save(change(registered(), shipped(registered(), "TRK-2")))

        assert repository.get("1001") == with_parcel

    def test_the_tracking_copy_holds_the_order_without_personal_data(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        copy = repository.by_tracking("TRK-S1")

        assert copy is not None
        assert (copy.order, copy.shipments, copy.revision) == (
            with_parcel.order,
            with_parcel.shipments,
            with_parcel.revision,
        )
        assert copy.record.customer is None
        # The lane needs the destination's country and postal code, never the address.
        destination = with_parcel.record.destination
        assert destination is not None
        assert copy.record.destination == records.DestinationRecord(
            destination.country, destination.postal_code
        )
        assert copy.record.promise == with_parcel.record.promise
        assert repository.by_tracking("TRK-UNKNOWN") is None

    def test_a_save_from_the_tracking_copy_keeps_the_customer(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        copy = repository.by_tracking("TRK-S1")
        assert copy is not None

        repository.save(change(copy, replace(copy, revision=3), "evt-1"))

        stored = repository.get("1001")
        assert stored is not None
        assert (stored.record.customer, stored.revision) == (ANNA, 3)

    def test_an_event_is_stored_once(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        repository.save(change(with_parcel, replace(with_parcel, revision=3), "evt-1"))
        now_at_3 = replace(with_parcel, revision=3)

        with pytest.raises(DuplicateEvent):
            repository.save(change(now_at_3, replace(with_parcel, revision=4), "evt-1"))

        assert [(e.shipment_id, e.event.event_id) for e in repository.events("1001")] == [
            ("S1", "evt-1")
        ]
        assert repository.events("1002") == []

    def test_a_tracking_number_belongs_to_one_order(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        other = registered("1002")
        repository.create(other, [], NOW)

        with pytest.raises(Conflict):
            repository.save(change(other, shipped(other)))

        assert repository.get("1002") == other

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

    def test_consecutive_changes_commit_at_once_as_the_last_leaves_them(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        repository.save_all(scans(with_parcel, ["evt-1", "evt-2", "evt-3"]))

        assert repository.get("1001") == replace(with_parcel, revision=5)
        assert [e.event.event_id for e in repository.events("1001")] == ["evt-1", "evt-2", "evt-3"]

    def test_changes_with_stored_events_name_each_of_them_and_write_nothing(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        repository.save_all(scans(with_parcel, ["evt-1", "evt-3"]))
        at_4 = replace(with_parcel, revision=4)

        with pytest.raises(DuplicateEvent) as refused:
            repository.save_all(scans(at_4, ["evt-1", "evt-2", "evt-3", "evt-4"]))

        assert refused.value.event_ids == {"evt-1", "evt-3"}
        assert repository.get("1001") == at_4
        assert len(repository.events("1001")) == 2

    def test_a_new_order_opens_to_its_first_token_generation(self, repository: OrderStore) -> None:
        repository.create(registered(), [], NOW)

        stored = repository.get("1001")
        assert stored is not None and stored.token_generation == 1

    def test_the_token_generation_moves_on_from_the_one_read_and_nothing_else_changes(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        repository.advance_token_generation("1001", 1)
        repository.advance_token_generation("1001", 2)

        assert repository.get("1001") == replace(with_parcel, token_generation=3)

    def test_a_token_generation_moved_on_meanwhile_is_refused(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        repository.advance_token_generation("1001", 1)

        with pytest.raises(RevisionConflict):
            repository.advance_token_generation("1001", 1)
        with pytest.raises(RevisionConflict):
            repository.advance_token_generation("1002", 1)  # no such order

        stored = repository.get("1001")
        assert stored is not None and stored.token_generation == 2
        assert repository.get("1002") is None

    def test_a_save_from_the_tracking_copy_keeps_the_token_generation(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        # Given a webhook's read of the tracking copy, then a replaced customer token
        copy = repository.by_tracking("TRK-S1")
        assert copy is not None
        repository.advance_token_generation("1001", 1)

        # When the webhook commits on the revision it read
        repository.save(change(copy, replace(copy, revision=3), "evt-1"))

        # Then the replacement stands: the order's other writes never touch the generation
        stored = repository.get("1001")
        assert stored is not None and (stored.revision, stored.token_generation) == (3, 2)

    def test_what_fits_one_transaction_commits_in_one(
        self, repository: OrderStore, with_parcel: records.StoredOrder
    ) -> None:
        changes = scans(with_parcel, [f"evt-{n}" for n in range(150)], announce=True)

        fitting = repository.fitting(changes)
        repository.save_all(changes[:fitting])

        assert 1 <= fitting <= len(changes)
        assert repository.get("1001") == replace(with_parcel, revision=2 + fitting)


def test_the_table_takes_what_fits_and_refuses_a_change_more_than_the_reminders_place(
    aws: object,
) -> None:
    # Given changes of three items each (event seen, event kept, outbox) beside the order and
    # its tracking copy
    repository = deps.order_repository()
    repository.create(registered(), [], NOW)
    repository.save(change(registered(), shipped(registered())))
    changes = scans(shipped(registered()), [f"evt-{n}" for n in range(150)], announce=True)

    fitting = repository.fitting(changes)

    # Then 100 actions hold the order, its copy, a rating reminder's place and 32 changes
    assert fitting == (100 - 3) // 3
    with pytest.raises(ClientError):
        repository.save_all(changes[: fitting + 2])
    repository.save_all(changes[:fitting])
