"""Orders in the single table: the aggregate item, tracking-number copies, events and outbox.

The ORDER item holds the whole aggregate: the registration record, the order's derived state and
every shipment's state, with a `revision` for optimistic locking. Each shipment's tracking number
has its own item holding a copy of the aggregate (without the customer's personal data), so a
carrier event costs one GetItem plus one TransactWriteItems: the event (conditional, so a
duplicate is refused by the table too), the order (conditioned on the revision read), the
tracking copies and the outbox records commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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
from chalicelib.store.rating_due import rating_due_put
from chalicelib.store.records import (
    NotificationLogEntries,
    OrderChange,
    StoredEvent,
    StoredOrder,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef, TransactWriteItemTypeDef

OUTBOX_RETENTION = timedelta(days=7)
Messages = Sequence[OutboxMessage]  # the outbox records a change writes
Facts = Sequence[Fact]  # the figures the stream's projector counts


class RevisionConflict(Exception):
    """Someone else changed the order since it was read: read again and retry."""


class DuplicateEvent(Exception):
    """The event is already stored."""


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
        """The order shipping this parcel, without the customer's personal data."""
        ...

    def events(self, order_id: str) -> list[StoredEvent]: ...

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

        DuplicateEvent when its event is stored already, RevisionConflict when the order changed
        since it was read, Conflict when a new tracking number belongs to another order.
        """
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
        response = self._client.get_item(
            TableName=self._table,
            Key=to_attributes(keys.tracking_key(tracking_number)),
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
            parts.add(OUTBOX_PART, self._outbox_put(stored, message, now))
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
        after = change.after
        parts = _Parts()
        if change.event is not None:
            parts.add(EVENT_PART, self._event_put(after.order_id, change.event))
        parts.add(ORDER_PART, self._order_update(change.before.revision, after))
        known = {s.tracking_number for s in change.before.shipments}
        for shipment in after.shipments:
            parts.add(TRACKING_PART, self._tracking_put(after, shipment.tracking_number, known))
        for message in change.messages:
            parts.add(OUTBOX_PART, self._outbox_put(after, message, change.now))
        # The first delivered parcel schedules the rating reminder, in the same transaction.
        reminder = reminder_due_at(change.before.shipments, after.shipments)
        if reminder is not None:
            parts.add(RATING_DUE_PART, rating_due_put(self._table, after.order_id, reminder))
        try:
            self._client.transact_write_items(
                TransactItems=parts.items, ReturnConsumedCapacity="TOTAL"
            )
        except ClientError as exc:
            _raise_cancellation(exc, parts)

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
        # The copy carries no personal data: the webhook path never needs the customer.
        record = replace(stored.record, customer=None, destination=None)
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

    def _outbox_put(
        self, stored: StoredOrder, message: OutboxMessage, now: datetime
    ) -> TransactWriteItemTypeDef:
        item = {
            **keys.outbox_key(stored.order_id, message.message_id, stored.revision),
            "message": message.model_dump_json(),
            "expires_at": int((now + OUTBOX_RETENTION).timestamp()),
        }
        return {"Put": {"TableName": self._table, "Item": to_attributes(item)}}


# The parts of an order's transaction, so that a cancellation is read by what was refused.
EVENT_PART = "event"
FACT_PART = "fact"
ORDER_PART = "order"
TRACKING_PART = "tracking"
OUTBOX_PART = "outbox"
RATING_DUE_PART = "rating_due"


@dataclass
class _Parts:
    """A transaction's items, each named for the part of the order it writes."""

    items: list[TransactWriteItemTypeDef] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def add(self, name: str, item: TransactWriteItemTypeDef) -> None:
        self.names.append(name)
        self.items.append(item)

    def refused(self, exc: ClientError, reason: str = "ConditionalCheckFailed") -> set[str]:
        """The parts DynamoDB cancelled the transaction for, with ``reason``."""
        codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
        return {name for name, code in zip(self.names, codes, strict=False) if code == reason}


def _raise_cancellation(exc: ClientError, parts: _Parts) -> None:
    code = exc.response.get("Error", {}).get("Code")
    if code == "TransactionConflictException":
        raise RevisionConflict() from exc
    if code != "TransactionCanceledException":
        raise exc
    refused = parts.refused(exc)
    if EVENT_PART in refused:
        raise DuplicateEvent() from exc
    if ORDER_PART in refused:
        raise RevisionConflict() from exc
    if TRACKING_PART in refused:
        raise Conflict("tracking number belongs to another order") from exc
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
    )


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
