"""An in-memory order repository: the same contract as the DynamoDB one, without AWS.

It keeps what the table keeps, in dicts, and refuses what the table's conditions refuse, so the
order use cases' retry and conflict paths run in milliseconds. ``tests/unit/orders/
test_repository_contract.py`` holds it to the same contract as ``OrderRepository``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from chalicelib.domain.errors import Conflict
from chalicelib.domain.facts import Fact
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.tracking_number import tracking_number_key
from chalicelib.store.orders import (
    DuplicateEvent,
    Facts,
    Messages,
    OrderExists,
    RevisionConflict,
)
from chalicelib.store.records import (
    DestinationRecord,
    NotificationLogEntries,
    OrderChange,
    StoredEvent,
    StoredOrder,
)


@dataclass
class InMemoryOrderRepository:
    orders: dict[str, StoredOrder] = field(default_factory=dict)
    tracking: dict[str, str] = field(default_factory=dict)  # tracking number → order id
    stored_events: dict[tuple[str, str, str], StoredEvent] = field(default_factory=dict)
    seen: set[tuple[str, str, str]] = field(default_factory=set)  # (order, shipment, event id)
    outbox: list[OutboxMessage] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    # Runs at the start of every write, before its conditions are checked: a test's way to let
    # another writer in between a use case's read and its write.
    before_write: Callable[[], None] | None = None
    # The table's limit on one transaction's items, as a number of changes; and the commits made.
    changes_per_transaction: int = 1000
    transactions: int = 0

    # -- reads -----------------------------------------------------------------------------
    def get(self, order_id: str) -> StoredOrder | None:
        return self.orders.get(order_id)

    def by_tracking(self, tracking_number: str) -> StoredOrder | None:
        order_id = self.tracking.get(tracking_number_key(tracking_number))
        stored = self.orders.get(order_id) if order_id is not None else None
        if stored is None:
            return None
        # The table's tracking copy carries no personal data: of the destination, only the
        # country and postal code (the lane of a delivered parcel).
        destination = stored.record.destination
        kept = (
            DestinationRecord(destination.country, destination.postal_code) if destination else None
        )
        return replace(stored, record=replace(stored.record, customer=None, destination=kept))

    def events(self, order_id: str) -> list[StoredEvent]:
        return [e for (owner, _, _), e in sorted(self.stored_events.items()) if owner == order_id]

    def parcel_events(self, order_id: str, shipment_id: str) -> list[StoredEvent]:
        return [e for e in self.events(order_id) if e.shipment_id == shipment_id]

    def notifications(self, order_id: str) -> NotificationLogEntries:
        return NotificationLogEntries(sent=(), skipped=())

    def due_order_ids(self, now: datetime, limit: int = 100) -> list[str]:
        due = [
            s.order_id
            for s in self.orders.values()
            if s.order.check_due_at is not None and s.order.check_due_at <= now
        ]
        return sorted(due)[:limit]

    # -- writes ----------------------------------------------------------------------------
    def create(
        self, stored: StoredOrder, messages: Messages, now: datetime, facts: Facts = ()
    ) -> None:
        self._interleave()
        if stored.order_id in self.orders:
            raise OrderExists(stored.order_id)
        self.orders[stored.order_id] = stored
        self.outbox.extend(messages)
        self.facts.extend(facts)

    def save(self, change: OrderChange) -> None:
        self.save_all([change])

    def save_all(self, changes: Sequence[OrderChange]) -> None:
        self._interleave()
        after = changes[-1].after
        events = {
            (after.order_id, c.event.shipment_id, c.event.event.event_id): c
            for c in changes
            if c.event is not None
        }
        stored = {key[2] for key in events if key in self.seen or key in self.stored_events}
        if stored:
            raise DuplicateEvent(stored)
        current = self.orders.get(after.order_id)
        if current is None or current.revision != changes[0].before.revision:
            raise RevisionConflict()
        numbers = [tracking_number_key(s.tracking_number) for s in after.shipments]
        if any(self.tracking.get(n, after.order_id) != after.order_id for n in numbers):
            raise Conflict("tracking number belongs to another order")
        # An update, as in the table: the registration record and the token generation stay
        # the stored ones.
        self.orders[after.order_id] = replace(
            after, record=current.record, token_generation=current.token_generation
        )
        self.tracking.update(dict.fromkeys(numbers, after.order_id))
        self.seen.update(events)
        for (order_id, shipment_id, event_id), kept in events.items():
            assert kept.event is not None
            if kept.in_timeline:
                self.stored_events[(order_id, shipment_id, event_id)] = kept.event
            for dropped in kept.dropped:
                self.stored_events.pop((order_id, shipment_id, dropped), None)
        for change in changes:
            self.outbox.extend(change.messages)
            self.facts.extend(change.facts)
        self.transactions += 1

    def fitting(self, changes: Sequence[OrderChange]) -> int:
        return min(len(changes), self.changes_per_transaction)

    def advance_token_generation(self, order_id: str, seen: int) -> None:
        self._interleave()
        current = self.orders.get(order_id)
        if current is None or current.token_generation != seen:
            raise RevisionConflict()
        self.orders[order_id] = replace(current, token_generation=seen + 1)

    def _interleave(self) -> None:
        if self.before_write is not None:
            self.before_write()
