"""Orders in the single table: the aggregate item, tracking-number copies, events and outbox.

The ORDER item holds the whole aggregate: the registration record, the order's derived state and
every shipment's state, with a `revision` for optimistic locking. Each shipment's tracking number
has its own item holding a copy of the aggregate (without the customer's personal data), so a
carrier event costs one GetItem, one Query of its parcel's kept events and one
TransactWriteItems: the event's SEEN item (conditional, so a duplicate is refused by the table
too), its timeline item, the order (conditioned on the revision read), the tracking copies and
the outbox records commit together or not at all. Nothing in the order item grows with events:
which events a parcel has seen are small items of their own, with a TTL. A webhook's many events
for one parcel are consecutive changes of one order: ``save_all`` commits as many of them as fit
in one transaction (``fitting``), so a parcel's backlog costs one read and a transaction or two.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast

from botocore.exceptions import ClientError

from chalicelib.domain.errors import Conflict
from chalicelib.domain.facts import Fact
from chalicelib.domain.feedback.reminders import reminder_due_at
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.store import codec, keys
from chalicelib.store.attributes import from_attributes, to_attributes
from chalicelib.store.counters import fact_put
from chalicelib.store.outbox import outbox_put
from chalicelib.store.rating_due import rating_due_put
from chalicelib.store.records import (
    DestinationRecord,
    NotificationLogEntries,
    OrderChange,
    StoredEvent,
    StoredOrder,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef, TransactWriteItemTypeDef

MAX_ACTIONS = 100  # DynamoDB's limit on the items of one TransactWriteItems
# How long a parcel's event id is remembered: longer than any sender re-delivers a history
# (aggregators stop tracking weeks after delivery). An event seen again later is applied again,
# which leaves the parcel's state as it was (the state is a function of the set of events).
SEEN_FOR = timedelta(days=90)
Messages = Sequence[OutboxMessage]  # the outbox records a change writes
Facts = Sequence[Fact]  # the figures the stream's projector counts


class RevisionConflict(Exception):
    """Someone else changed the order since it was read: read again and retry."""


class DuplicateEvent(Exception):
    """Events of the change are already stored (``event_ids``); nothing of it was written."""

    def __init__(self, event_ids: Collection[str] = ()) -> None:
        super().__init__(", ".join(sorted(event_ids)))
        self.event_ids = frozenset(event_ids)


class OrderExists(Exception):
    """An order with this id is already registered."""


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the codec wants ints and strings."""
    return json.loads(json.dumps(value, default=lambda d: int(d)))


class OrderStore(Protocol):
    """What the order use cases need of a store; ``OrderRepository`` is the DynamoDB one.

    The tests hold every implementation to one contract (tests/unit/orders/
    test_repository_contract.py), so use cases tested against one hold against the other.
    """

    def get(self, order_id: str) -> StoredOrder | None: ...

    def by_tracking(self, tracking_number: str) -> StoredOrder | None:
        """The order shipping this parcel (the number matched without case or spaces), without
        the customer's personal data."""
        ...

    def events(self, order_id: str) -> list[StoredEvent]: ...

    def parcel_events(self, order_id: str, shipment_id: str) -> list[StoredEvent]:
        """The events one parcel's timeline keeps."""
        ...

    def notifications(self, order_id: str) -> NotificationLogEntries: ...

    def due_order_ids(self, now: datetime, limit: int = 100) -> list[str]: ...

    def create(
        self, stored: StoredOrder, messages: Messages, now: datetime, facts: Facts = ()
    ) -> None:
        """Register a new order with its outbox records and facts (figures the stream counts);
        OrderExists if the id is taken."""
        ...

    def save(self, change: OrderChange) -> None:
        """Commit the change if the order is still at ``change.before.revision``, at once.

        DuplicateEvent when its event was seen already, RevisionConflict when the order changed
        since it was read, Conflict when a new tracking number belongs to another order or to a
        return parcel.
        """
        ...

    def save_all(self, changes: Sequence[OrderChange]) -> None:
        """Commit consecutive changes of one order (each ``before`` is the previous ``after``)
        at once, as ``save`` commits one: every event, outbox record and fact of each change,
        the order and its tracking copies as the last leaves them.

        DuplicateEvent names every event of them already stored; otherwise as ``save``.
        """
        ...

    def fitting(self, changes: Sequence[OrderChange]) -> int:
        """How many of ``changes``, from the first, one ``save_all`` can commit (at least one)."""
        ...

    def advance_token_generation(self, order_id: str, seen: int) -> None:
        """Move the order's customer tokens on from generation ``seen`` to the next, if ``seen``
        is still the stored one (RevisionConflict otherwise: another replacement came first).
        Nothing else of the order changes, its revision included."""
        ...


class OrderRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- reads -----------------------------------------------------------------------------
    def get(self, order_id: str) -> StoredOrder | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_attributes(keys.order_key(order_id)),
            ConsistentRead=True,
            ReturnConsumedCapacity="TOTAL",
        )
        return _stored(response.get("Item"))

    def by_tracking(self, tracking_number: str) -> StoredOrder | None:
        found = self._tracking_copy(keys.tracking_key(tracking_number))
        as_written = keys.tracking_key_as_written(tracking_number)
        if found is None and as_written != keys.tracking_key(tracking_number):
            found = self._tracking_copy(as_written)  # a copy written before numbers matched so
        return found

    def _tracking_copy(self, key: dict[str, str]) -> StoredOrder | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_attributes(key),
            ConsistentRead=True,
            ReturnConsumedCapacity="TOTAL",
        )
        return _stored(response.get("Item"))

    def _order_items(self, order_id: str, prefix: str) -> list[dict[str, Any]]:
        """Items of the order's partition whose sort key starts with `prefix` (events, ...)."""
        items: list[dict[str, Any]] = []
        kwargs: QueryInputTypeDef = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": to_attributes(
                {":pk": keys.order_key(order_id)["PK"], ":prefix": prefix}
            ),
        }
        while True:
            page = self._client.query(**kwargs)
            items += [_plain(from_attributes(i)) for i in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def events(self, order_id: str) -> list[StoredEvent]:
        return [
            codec.event_from_item(item) for item in self._order_items(order_id, keys.event_prefix())
        ]

    def parcel_events(self, order_id: str, shipment_id: str) -> list[StoredEvent]:
        items = self._order_items(order_id, keys.event_prefix(shipment_id))
        return [codec.event_from_item(item) for item in items]

    def notifications(self, order_id: str) -> NotificationLogEntries:
        """What the order's notification log holds as sent and as skipped."""
        return codec.notification_log(self._order_items(order_id, keys.notification_prefix()))

    def due_order_ids(self, now: datetime, limit: int = 100) -> list[str]:
        """Orders whose next check is due at `now` (GSI2: due shard + due instant)."""
        found: list[str] = []
        for shard in keys.due_shards():
            page = self._client.query(
                TableName=self._table,
                IndexName="GSI2",
                KeyConditionExpression="GSI2PK = :shard AND GSI2SK <= :now",
                ExpressionAttributeValues=to_attributes(
                    {":shard": shard, ":now": keys.due_sort_key(_utc_iso(now), "~")}
                ),
                Limit=limit,
            )
            found += [keys.order_id_of(from_attributes(i)["PK"]) for i in page.get("Items", [])]
        return found

    # -- writes ----------------------------------------------------------------------------
    def create(
        self, stored: StoredOrder, messages: Messages, now: datetime, facts: Facts = ()
    ) -> None:
        parts = _Parts()
        parts.add(
            ORDER_PART,
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_attributes(self._order_item(stored)),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        )
        for message in messages:
            parts.add(
                OUTBOX_PART, outbox_put(self._table, stored.order_id, message, stored.revision, now)
            )
        for fact in facts:
            parts.add(FACT_PART, cast("TransactWriteItemTypeDef", fact_put(self._table, fact, now)))
        try:
            self._client.transact_write_items(
                TransactItems=parts.items, ReturnConsumedCapacity="TOTAL"
            )
        except ClientError as exc:
            if ORDER_PART in parts.refused(exc):
                raise OrderExists(stored.order_id) from exc
            raise

    def save(self, change: OrderChange) -> None:
        """One transaction; see OrderStore.save for what it refuses."""
        self.save_all([change])

    def save_all(self, changes: Sequence[OrderChange]) -> None:
        """One transaction for consecutive changes; see OrderStore.save_all."""
        first, after = changes[0], changes[-1].after
        parts = _Parts()
        for change in changes:
            self._add_own_parts(parts, change)
        parts.add(ORDER_PART, self._order_update(first.before.revision, after))
        known = {s.tracking_number for s in first.before.shipments}
        for shipment in after.shipments:
            parts.add(TRACKING_PART, self._tracking_put(after, shipment.tracking_number, known))
        for number in _new_tracking_numbers(first.before, after):
            parts.add(RETURN_PARCEL_PART, self._not_a_return_parcel(number))
        # The first delivered parcel schedules the rating reminder, in the same transaction.
        reminder = _rating_reminder(changes)
        if reminder is not None:
            parts.add(RATING_DUE_PART, rating_due_put(self._table, after.order_id, reminder))
        try:
            self._client.transact_write_items(
                TransactItems=parts.items, ReturnConsumedCapacity="TOTAL"
            )
        except ClientError as exc:
            _raise_cancellation(exc, parts)

    def _add_own_parts(self, parts: _Parts, change: OrderChange) -> None:
        """The change's event (seen, and kept in the timeline or not), the events it drops from
        the timeline, its outbox records (under its own revision: the keys one save per change
        writes) and its facts, each named with the change's event."""
        event_id = change.event.event.event_id if change.event is not None else None
        order_id = change.after.order_id
        if change.event is not None:
            parts.add(SEEN_PART, self._seen_put(order_id, change.event, change.now), event_id)
            if change.in_timeline:
                parts.add(EVENT_PART, self._event_put(order_id, change.event), event_id)
            for dropped in change.dropped:
                key = keys.event_key(order_id, change.event.shipment_id, dropped)
                parts.add(
                    DROP_PART, {"Delete": {"TableName": self._table, "Key": to_attributes(key)}}
                )
        for message in change.messages:
            parts.add(
                OUTBOX_PART,
                outbox_put(
                    self._table, change.after.order_id, message, change.after.revision, change.now
                ),
            )
        for fact in change.facts:
            put = cast("TransactWriteItemTypeDef", fact_put(self._table, fact, change.now))
            parts.add(FACT_PART, put, event_id)

    def fitting(self, changes: Sequence[OrderChange]) -> int:
        # The order, its tracking copies (and checks of new ones) and a rating reminder, then
        # each change's own items.
        first = changes[0]
        new = _new_tracking_numbers(first.before, first.after)
        used = 1 + len(first.after.shipments) + len(new) + 1
        for count, change in enumerate(changes):
            used += _own_actions(change)
            if used > MAX_ACTIONS:
                return max(count, 1)
        return len(changes)

    def advance_token_generation(self, order_id: str, seen: int) -> None:
        # The order's other writes (UpdateItem of the aggregate) never touch this attribute,
        # and it is absent until the first replacement: generation 1.
        condition = "token_generation = :seen"
        if seen == 1:
            condition = (
                "attribute_exists(PK) AND "
                "(attribute_not_exists(token_generation) OR token_generation = :seen)"
            )
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_attributes(keys.order_key(order_id)),
                UpdateExpression="SET token_generation = :next",
                ConditionExpression=condition,
                ExpressionAttributeValues=to_attributes({":seen": seen, ":next": seen + 1}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise RevisionConflict() from exc
            raise

    # -- items -----------------------------------------------------------------------------
    def _aggregate(self, stored: StoredOrder) -> dict[str, Any]:
        return {
            "order_id": stored.order_id,
            "order": codec.order_to_item(stored.order),
            "shipments": [codec.shipment_to_item(s) for s in stored.shipments],
            "revision": stored.revision,
        }

    def _order_item(self, stored: StoredOrder) -> dict[str, Any]:
        item = {
            **keys.order_key(stored.order_id),
            **self._aggregate(stored),
            "record": codec.record_to_item(stored.record),
        }
        due = stored.order.check_due_at
        if due is not None:
            item["GSI2PK"] = keys.due_shard(stored.order_id)
            item["GSI2SK"] = keys.due_sort_key(_utc_iso(due), stored.order_id)
        return item

    def _order_update(self, revision: int, after: StoredOrder) -> TransactWriteItemTypeDef:
        """The aggregate's new state, leaving the registration record as it is.

        ``after`` may have been read from a tracking copy, whose record lacks the customer:
        an update (not a put) keeps the order's own record whole.
        """
        aggregate = self._aggregate(after)
        values: dict[str, Any] = {
            ":order": aggregate["order"],
            ":shipments": aggregate["shipments"],
            ":new": after.revision,
            ":revision": revision,
        }
        update = "SET #order = :order, shipments = :shipments, revision = :new"
        due = after.order.check_due_at
        if due is None:
            update += " REMOVE GSI2PK, GSI2SK"
        else:
            update += ", GSI2PK = :due_shard, GSI2SK = :due_at"
            values[":due_shard"] = keys.due_shard(after.order_id)
            values[":due_at"] = keys.due_sort_key(_utc_iso(due), after.order_id)
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.order_key(after.order_id)),
                "UpdateExpression": update,
                "ConditionExpression": "revision = :revision",
                "ExpressionAttributeNames": {"#order": "order"},
                "ExpressionAttributeValues": to_attributes(values),
            }
        }

    def _tracking_put(
        self, stored: StoredOrder, tracking_number: str, known: set[str]
    ) -> TransactWriteItemTypeDef:
        # The copy carries no personal data: the webhook path never needs the customer. It keeps
        # the destination's country and postal code (no address): the delivered-parcel facts
        # name the lane and count delivery days in the destination's own calendar.
        destination = stored.record.destination
        kept = (
            DestinationRecord(destination.country, destination.postal_code) if destination else None
        )
        record = replace(stored.record, customer=None, destination=kept)
        item = {
            **keys.tracking_key(tracking_number),
            **self._aggregate(stored),
            "record": codec.record_to_item(record),
        }
        if tracking_number in known:
            return {"Put": {"TableName": self._table, "Item": to_attributes(item)}}
        # A tracking number is claimed once: by this order, never by a second one.
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(item),
                "ConditionExpression": "attribute_not_exists(PK) OR order_id = :order_id",
                "ExpressionAttributeValues": to_attributes({":order_id": stored.order_id}),
            }
        }

    def _not_a_return_parcel(self, tracking_number: str) -> TransactWriteItemTypeDef:
        # Symmetric to the return label's check: the webhook routes a number held by a return
        # parcel to that return, so an outbound parcel under it would never see its events.
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": to_attributes(keys.return_tracking_key(tracking_number)),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def _seen_put(
        self, order_id: str, stored: StoredEvent, now: datetime
    ) -> TransactWriteItemTypeDef:
        # TTL deletes an expired item within days, not at once: until then it counts as absent.
        epoch = int(now.timestamp())
        item = {
            **keys.seen_event_key(order_id, stored.shipment_id, stored.event.event_id),
            "expires_at": int((now + SEEN_FOR).timestamp()),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(item),
                "ConditionExpression": "attribute_not_exists(PK) OR expires_at < :now",
                "ExpressionAttributeValues": to_attributes({":now": epoch}),
            }
        }

    def _event_put(self, order_id: str, stored: StoredEvent) -> TransactWriteItemTypeDef:
        item = {
            **keys.event_key(order_id, stored.shipment_id, stored.event.event_id),
            **codec.event_to_item(stored),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }


# The parts of an order's transaction, so that a cancellation is read by what was refused.
SEEN_PART = "seen"
EVENT_PART = "event"
DROP_PART = "dropped_event"
FACT_PART = "fact"
ORDER_PART = "order"
TRACKING_PART = "tracking"
RETURN_PARCEL_PART = "return_parcel"
OUTBOX_PART = "outbox"
RATING_DUE_PART = "rating_due"


@dataclass
class _Parts:
    """A transaction's items, each named for the part of the order it writes."""

    items: list[TransactWriteItemTypeDef] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    event_ids: list[str | None] = field(default_factory=list)  # the carrier event a part is for

    def add(self, name: str, item: TransactWriteItemTypeDef, event_id: str | None = None) -> None:
        self.names.append(name)
        self.items.append(item)
        self.event_ids.append(event_id)

    def refused(self, exc: ClientError, reason: str = "ConditionalCheckFailed") -> set[str]:
        """The parts DynamoDB cancelled the transaction for, with ``reason``."""
        return {name for name, _ in self._refused(exc, reason)}

    def refused_events(self, exc: ClientError) -> set[str]:
        """The carrier events whose SEEN item, timeline item or fact (a fact's id names its
        event) found itself already stored."""
        return {
            event_id
            for name, event_id in self._refused(exc, "ConditionalCheckFailed")
            if name in _EVENT_PARTS and event_id is not None
        }

    def _refused(self, exc: ClientError, reason: str) -> list[tuple[str, str | None]]:
        codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
        parts = zip(self.names, self.event_ids, codes, strict=False)
        return [(name, event_id) for name, event_id, code in parts if code == reason]


def _new_tracking_numbers(before: StoredOrder, after: StoredOrder) -> list[str]:
    known = {s.tracking_number for s in before.shipments}
    return [s.tracking_number for s in after.shipments if s.tracking_number not in known]


_EVENT_PARTS = (SEEN_PART, EVENT_PART, FACT_PART)


def _own_actions(change: OrderChange) -> int:
    """The transaction items a change adds beside the order's own: the event seen, kept and
    dropped, outbox, facts."""
    event = 0
    if change.event is not None:
        event = 1 + change.in_timeline + len(change.dropped)
    return event + len(change.messages) + len(change.facts)


def _rating_reminder(changes: Sequence[OrderChange]) -> datetime | None:
    """The reminder the last change that delivered a first parcel schedules, as one save per
    change would have left it (a later one overwrote an earlier one)."""
    due = [reminder_due_at(c.before.shipments, c.after.shipments) for c in changes]
    return next((d for d in reversed(due) if d is not None), None)


def _raise_cancellation(exc: ClientError, parts: _Parts) -> None:
    code = exc.response.get("Error", {}).get("Code")
    if code == "TransactionConflictException":
        raise RevisionConflict() from exc
    if code != "TransactionCanceledException":
        raise exc
    refused = parts.refused(exc)
    if refused & set(_EVENT_PARTS):
        raise DuplicateEvent(parts.refused_events(exc)) from exc
    if ORDER_PART in refused:
        raise RevisionConflict() from exc
    if TRACKING_PART in refused:
        raise Conflict("tracking number belongs to another order") from exc
    if RETURN_PARCEL_PART in refused:
        raise Conflict("tracking number belongs to a return parcel") from exc
    if parts.refused(exc, "TransactionConflict"):
        raise RevisionConflict() from exc
    raise exc


def _stored(item: dict[str, Any] | None) -> StoredOrder | None:
    if not item:
        return None
    plain = _plain(from_attributes(item))
    return StoredOrder(
        record=codec.record_from_item(plain["record"]),
        order=codec.order_from_item(plain["order"]),
        shipments=tuple(codec.shipment_from_item(s) for s in plain["shipments"]),
        revision=int(plain["revision"]),
        token_generation=int(plain.get("token_generation", 1)),
    )


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
