"""An order's rating: one FEEDBACK item in the order's partition, written with its fact.

The first rating is a Put conditioned on absence; a change is an Update conditioned on the
version read and on the change window, so concurrent submissions leave exactly one record, and
the fact that counts the change commits in the same transaction (or not at all). The answer a
change replaces is kept in an item of its own (``FEEDBACK#<version>``), written in the same
transaction: the FEEDBACK item holds one answer, however often it changes. Ratings stored before
that keep their earlier answers in a ``history`` list on the FEEDBACK item; the Update leaves it
as it is (it no longer grows).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.facts import Fact
from chalicelib.domain.feedback.rating import (
    CHANGE_WINDOW,
    ProductRating,
    Rating,
    RatingContext,
    RatingRecord,
)
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.store import keys
from chalicelib.store.attributes import from_attributes, to_attributes
from chalicelib.store.counters import fact_put
from chalicelib.store.outbox import outbox_put
from chalicelib.store.rating_due import due_sort_key, rating_due_delete


class RatingRace(Exception):
    """The rating changed (or appeared) since it was read: read again and decide again."""


class FeedbackStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def get(self, order_id: str) -> RatingRecord | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_attributes(keys.feedback_key(order_id)),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _record(order_id, from_attributes(item)) if item else None

    def save(
        self,
        before: RatingRecord | None,
        after: RatingRecord,
        fact: Fact,
        now: datetime,
        alert: OutboxMessage | None = None,
    ) -> None:
        """Commit ``after``, its fact and ``alert`` (for the merchant) if the rating is still as
        ``before``; else RatingRace."""
        writes: list[Any]
        if before is None:
            put = {
                "TableName": self._table,
                "Item": to_attributes({**keys.feedback_key(after.order_id), **_item(after)}),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
            writes = [{"Put": put}, rating_due_delete(self._table, after.order_id)]
        else:
            writes = [self._change(before, after, now), self._earlier_put(before)]
        writes.append(fact_put(self._table, fact, now))
        if alert is not None:
            writes.append(outbox_put(self._table, alert.order_id, alert, after.version, now))
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if code == "TransactionConflictException" or (
                code == "TransactionCanceledException"
                and {"ConditionalCheckFailed", "TransactionConflict"} & set(reasons)
            ):
                raise RatingRace(after.order_id) from exc
            raise

    def _change(self, before: RatingRecord, after: RatingRecord, now: datetime) -> Any:
        """The new current answer, over the one read: an Update, so a ``history`` written on
        the item before earlier answers had items of their own stays where it is."""
        answer = _rating_item(after.current)
        names = {f"#{name}": name for name in (*answer, "version")}
        values = {f":{name}": value for name, value in answer.items()}
        values |= {
            ":new": after.version,
            ":version": before.version,
            ":window_start": _iso(now - CHANGE_WINDOW),
        }
        sets = [f"#{name} = :{name}" for name in answer] + ["#version = :new"]
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.feedback_key(after.order_id)),
                "UpdateExpression": "SET " + ", ".join(sets),
                # The window is checked by the table too: time passes between read and write.
                "ConditionExpression": "#version = :version AND first_rated_at > :window_start",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_attributes(values),
            }
        }

    def _earlier_put(self, before: RatingRecord) -> Any:
        """The answer a change replaces, kept in its own item (a retried change finds it)."""
        item = {
            **keys.earlier_rating_key(before.order_id, before.version),
            **_rating_item(before.current),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    # -- reminders -----------------------------------------------------------------------------
    def due_reminders(self, now: datetime, limit: int = 100) -> list[str]:
        """Orders delivered long enough ago and not rated (GSI2, RATING_DUE shards)."""
        found: list[str] = []
        for shard in keys.rating_due_shards():
            page = self._client.query(
                TableName=self._table,
                IndexName="GSI2",
                KeyConditionExpression="GSI2PK = :shard AND GSI2SK <= :now",
                ExpressionAttributeValues=to_attributes(
                    {":shard": shard, ":now": due_sort_key(now, "~")}
                ),
                Limit=limit,
            )
            found += [keys.order_id_of(from_attributes(i)["PK"]) for i in page.get("Items", [])]
        return found

    def remind(self, message: OutboxMessage, now: datetime) -> bool:
        """Hand the reminder to the outbox and retire the due item, once; False if rated or
        reminded meanwhile (a rating in between, or a second run of the schedule)."""
        order_id = message.order_id
        retire = rating_due_delete(self._table, order_id)
        retire["Delete"]["ConditionExpression"] = "attribute_exists(PK)"
        unrated = {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": to_attributes(keys.feedback_key(order_id)),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        try:
            self._client.transact_write_items(
                TransactItems=[
                    retire,
                    unrated,
                    outbox_put(self._table, message.order_id, message, 0, now),
                ]
            )
        except ClientError as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                return False
            raise
        return True

    def drop_reminder(self, order_id: str) -> None:
        """Retire a due item whose order no longer needs a reminder."""
        request = rating_due_delete(self._table, order_id)["Delete"]
        self._client.delete_item(TableName=request["TableName"], Key=request["Key"])


def _iso(moment: datetime) -> str:
    # UTC, fixed width: the window condition compares strings.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _rating_item(rating: Rating) -> dict[str, Any]:
    return {
        "rating": rating.rating,
        "comment": rating.comment,
        "tags": list(rating.tags),
        "products": [
            {"sku": p.sku, "rating": p.rating, "comment": p.comment} for p in rating.products
        ],
        "rated_at": _iso(rating.rated_at),
    }


def _rating_from(item: dict[str, Any]) -> Rating:
    return Rating(
        rating=int(item["rating"]),
        comment=item.get("comment"),
        tags=tuple(item.get("tags", [])),
        products=tuple(
            ProductRating(p["sku"], int(p["rating"]), p.get("comment"))
            for p in item.get("products", [])
        ),
        rated_at=datetime.fromisoformat(item["rated_at"]),
    )


def _item(record: RatingRecord) -> dict[str, Any]:
    context = record.context
    return {
        **_rating_item(record.current),
        "context": {
            "promise": context.promise,
            "days_late": context.days_late,
            "carrier": context.carrier,
            "method": context.method,
            "delay_announced": context.delay_announced,
        },
        "first_rated_at": _iso(record.first_rated_at),
        "version": record.version,
    }


def _record(order_id: str, item: dict[str, Any]) -> RatingRecord:
    context = item["context"]
    return RatingRecord(
        order_id=order_id,
        current=_rating_from(item),
        context=RatingContext(
            promise=context["promise"],
            days_late=int(context["days_late"]),
            carrier=context["carrier"],
            method=context["method"],
            delay_announced=bool(context["delay_announced"]),
        ),
        first_rated_at=datetime.fromisoformat(item["first_rated_at"]),
        version=int(item["version"]),
    )
