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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import Conflict
from chalicelib.domain.orders import OrderState, ShipmentEvent, ShipmentState
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.store import codec, keys
from chalicelib.store.attributes import from_attributes, to_attributes

OUTBOX_RETENTION = timedelta(days=7)


class RevisionConflict(Exception):
    """Someone else changed the order since it was read: read again and retry."""


class DuplicateEvent(Exception):
    """The event is already stored."""


class OrderExists(Exception):
    """An order with this id is already registered."""


@dataclass(frozen=True)
class StoredOrder:
    record: dict[str, Any]  # the registration: customer, destination, items, promise, body hash
    order: OrderState
    shipments: tuple[ShipmentState, ...]
    revision: int

    @property
    def order_id(self) -> str:
        return self.order.order_id


@dataclass(frozen=True)
class EventWrite:
    shipment_id: str
    event: ShipmentEvent
    extra: dict[str, Any]  # source, received_at


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the codec wants ints and strings."""
    return json.loads(json.dumps(value, default=lambda d: int(d)))


class OrderRepository:
    def __init__(self, client: Any, table_name: str) -> None:
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

    def order_items(self, order_id: str, prefix: str) -> list[dict[str, Any]]:
        """Items of the order's partition whose sort key starts with `prefix` (events, ...)."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
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

    def events(self, order_id: str) -> list[tuple[str, ShipmentEvent, dict[str, Any]]]:
        return [
            (item["shipment_id"], codec.event_from_item(item), item)
            for item in self.order_items(order_id, keys.event_prefix())
        ]

    def notifications(self, order_id: str) -> list[dict[str, Any]]:
        """The order's notification log: sent, skipped and in-flight (claimed) entries."""
        return self.order_items(order_id, keys.notification_prefix())

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
    def create(self, stored: StoredOrder, messages: Sequence[OutboxMessage], now: datetime) -> None:
        """Register a new order with its outbox records; OrderExists if the id is taken."""
        order_put = {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(self._order_item(stored)),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        outbox = [self._outbox_put(stored, m, now) for m in messages]
        try:
            self._client.transact_write_items(
                TransactItems=[order_put, *outbox], ReturnConsumedCapacity="TOTAL"
            )
        except ClientError as exc:
            if _cancelled_at(exc, 0) == "ConditionalCheckFailed":
                raise OrderExists(stored.order_id) from exc
            raise

    def save(
        self,
        before: StoredOrder,
        after: StoredOrder,
        messages: Sequence[OutboxMessage],
        now: datetime,
        event: EventWrite | None = None,
    ) -> None:
        """Commit `after` if the order is still at `before.revision`, in one transaction.

        Raises DuplicateEvent when `event` is already stored, RevisionConflict when the order
        changed since it was read, Conflict when a new tracking number belongs to another order.
        """
        items: list[dict[str, Any]] = []
        if event is not None:
            items.append(self._event_put(after.order_id, event, now))
        items.append(self._order_update(before.revision, after))
        known = {s.tracking_number for s in before.shipments}
        items += [self._tracking_put(after, s.tracking_number, known) for s in after.shipments]
        items += [self._outbox_put(after, m, now) for m in messages]
        try:
            self._client.transact_write_items(TransactItems=items, ReturnConsumedCapacity="TOTAL")
        except ClientError as exc:
            self._raise_cancellation(exc, items, has_event=event is not None)

    @staticmethod
    def _raise_cancellation(exc: ClientError, items: list[dict[str, Any]], has_event: bool) -> None:
        code = exc.response.get("Error", {}).get("Code")
        if code == "TransactionConflictException":
            raise RevisionConflict() from exc
        if code != "TransactionCanceledException":
            raise exc
        reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
        if has_event and reasons and reasons[0] == "ConditionalCheckFailed":
            raise DuplicateEvent() from exc
        order_index = 1 if has_event else 0
        if len(reasons) > order_index and reasons[order_index] == "ConditionalCheckFailed":
            raise RevisionConflict() from exc
        if "ConditionalCheckFailed" in reasons:
            raise Conflict("tracking number belongs to another order") from exc
        if "TransactionConflict" in reasons:
            raise RevisionConflict() from exc
        raise exc

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
            "record": stored.record,
        }
        due = stored.order.check_due_at
        if due is not None:
            item["GSI2PK"] = keys.due_shard(stored.order_id)
            item["GSI2SK"] = keys.due_sort_key(_utc_iso(due), stored.order_id)
        return item

    def _order_update(self, revision: int, after: StoredOrder) -> dict[str, Any]:
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
    ) -> dict[str, Any]:
        # The copy carries no personal data: the webhook path never needs the customer.
        record = {k: v for k, v in stored.record.items() if k not in ("customer", "destination")}
        item = {**keys.tracking_key(tracking_number), **self._aggregate(stored), "record": record}
        put: dict[str, Any] = {"TableName": self._table, "Item": to_attributes(item)}
        if tracking_number not in known:
            # A tracking number is claimed once: by this order, never by a second one.
            put["ConditionExpression"] = "attribute_not_exists(PK) OR order_id = :order_id"
            put["ExpressionAttributeValues"] = to_attributes({":order_id": stored.order_id})
        return {"Put": put}

    def _event_put(self, order_id: str, write: EventWrite, now: datetime) -> dict[str, Any]:
        item = {
            **keys.event_key(order_id, write.shipment_id, write.event.event_id),
            "shipment_id": write.shipment_id,
            **codec.event_to_item(write.event, write.extra),
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
    ) -> dict[str, Any]:
        item = {
            **keys.outbox_key(stored.order_id, message.message_id, stored.revision),
            "message": message.model_dump_json(),
            "expires_at": int((now + OUTBOX_RETENTION).timestamp()),
        }
        return {"Put": {"TableName": self._table, "Item": to_attributes(item)}}


def _stored(item: dict[str, Any] | None) -> StoredOrder | None:
    if not item:
        return None
    plain = _plain(from_attributes(item))
    return StoredOrder(
        record=plain.get("record", {}),
        order=codec.order_from_item(plain["order"]),
        shipments=tuple(codec.shipment_from_item(s) for s in plain["shipments"]),
        revision=int(plain["revision"]),
    )


def _cancelled_at(exc: ClientError, index: int) -> str | None:
    reasons = exc.response.get("CancellationReasons", [])
    return reasons[index].get("Code") if len(reasons) > index else None


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
