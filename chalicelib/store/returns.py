"""Returns in the single table: the return item, the order's returns ledger, idempotency keys,
return-parcel tracking numbers — each change committed with its outbox record and its fact.

A request commits, in one transaction: the new return (absent before), the order's ledger of
returned quantities (conditioned on the version read, so two requests that together exceed what
remains cannot both pass), the idempotency key (absent before), the outbox record and the fact.
A change of a return is conditioned on the return's version read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from botocore.exceptions import ClientError

from chalicelib.domain.errors import Conflict
from chalicelib.domain.facts import Fact
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.returns import ReturnRecord, ReturnStatus
from chalicelib.store import keys
from chalicelib.store.attributes import from_attributes, plain, to_attributes
from chalicelib.store.counters import fact_put
from chalicelib.store.orders import RevisionConflict
from chalicelib.store.outbox import outbox_put
from chalicelib.store.return_codec import return_from_item, return_to_item

IDEMPOTENCY_RETENTION = timedelta(days=7)


class IdempotencyKeyUsed(Exception):
    """A concurrent request with the same Idempotency-Key committed first."""


@dataclass(frozen=True, slots=True)
class Ledger:
    """Quantity per SKU that the order's (not rejected) returns take back, and its version."""

    returned: Mapping[str, int]
    version: int = 0  # 0: no return yet, the item does not exist


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    body_hash: str
    return_id: str


@dataclass(frozen=True, slots=True)
class NewReturn:
    record: ReturnRecord
    ledger_before: Ledger
    ledger_after: Mapping[str, int]
    message: OutboxMessage
    fact: Fact
    idempotency: tuple[str, str, str] | None = None  # scope, key, body hash


class ReturnRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- reads -----------------------------------------------------------------------------
    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table, Key=to_attributes(key), ConsistentRead=True
        )
        item = response.get("Item")
        return plain(from_attributes(item)) if item else None

    def get(self, return_id: str) -> ReturnRecord | None:
        item = self._get(keys.return_key(return_id))
        return return_from_item(item) if item else None

    def ledger(self, order_id: str) -> Ledger:
        item = self._get(keys.returns_ledger_key(order_id))
        if item is None:
            return Ledger({})
        return Ledger(dict(item.get("returned", {})), int(item["version"]))

    def idempotency(self, scope: str, key: str) -> IdempotencyRecord | None:
        item = self._get(keys.idempotency_key(scope, key))
        return IdempotencyRecord(item["body_hash"], item["return_id"]) if item else None

    def return_id_for_tracking(self, tracking_number: str) -> str | None:
        """The return whose parcel has this number (matched without case or spaces; a claim
        written before numbers matched so is found as written)."""
        item = self._get(keys.return_tracking_key(tracking_number))
        as_written = keys.return_tracking_key_as_written(tracking_number)
        if item is None and as_written != keys.return_tracking_key(tracking_number):
            item = self._get(as_written)
        return str(item["return_id"]) if item else None

    def of_order(self, order_id: str) -> list[ReturnRecord]:
        """The order's returns, oldest first (the index is eventually consistent)."""
        records: list[ReturnRecord] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": to_attributes({":pk": keys.returns_of_order(order_id)}),
        }
        while True:
            page = self._client.query(**kwargs)
            records += [return_from_item(plain(from_attributes(i))) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return records
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- writes ----------------------------------------------------------------------------
    def create(self, new: NewReturn, now: datetime) -> None:
        """Commit a new return; RevisionConflict when the ledger moved, IdempotencyKeyUsed when
        the key was taken meanwhile."""
        record = new.record
        items = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_attributes(self._return_item(record)),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            self._ledger_put(record.order_id, new.ledger_before, new.ledger_after),
            outbox_put(self._table, record.order_id, new.message, record.version, now),
            fact_put(self._table, new.fact, now),
        ]
        if new.idempotency is not None:
            items.append(self._idempotency_put(record.return_id, new.idempotency, now))
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            reasons = _reasons(exc)
            if len(reasons) > 4 and reasons[4] == "ConditionalCheckFailed":
                raise IdempotencyKeyUsed() from exc
            if _lost_race(exc, reasons):
                raise RevisionConflict() from exc
            raise

    def save(
        self,
        before: ReturnRecord,
        after: ReturnRecord,
        messages: Sequence[OutboxMessage],
        facts: Sequence[Fact],
        now: datetime,
    ) -> None:
        """Commit ``after`` if the return is still at ``before.version``.

        A new return label claims its tracking number (Conflict when an outbound parcel or another
        return has it); a rejection gives the return's quantities back to the order's ledger.
        """
        items: list[dict[str, Any]] = [self._return_update(before, after)]
        if after.label is not None and after.label != before.label:
            items += self._claim_tracking(after)
        if after.status == ReturnStatus.REJECTED and before.status != ReturnStatus.REJECTED:
            items.append(self._ledger_release(after))
        items += [
            cast("dict[str, Any]", outbox_put(self._table, after.order_id, m, after.version, now))
            for m in messages
        ]
        items += [fact_put(self._table, f, now) for f in facts]
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            reasons = _reasons(exc)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise RevisionConflict() from exc
            if "ConditionalCheckFailed" in reasons:
                raise Conflict("the tracking number belongs to another parcel") from exc
            if _lost_race(exc, reasons):
                raise RevisionConflict() from exc
            raise

    # -- items -----------------------------------------------------------------------------
    def _return_item(self, record: ReturnRecord) -> dict[str, Any]:
        return {
            **keys.return_key(record.return_id),
            **keys.returns_of_order_index(
                record.order_id, record.requested_at.isoformat(), record.return_id
            ),
            **return_to_item(record),
        }

    def _return_update(self, before: ReturnRecord, after: ReturnRecord) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(self._return_item(after)),
                "ConditionExpression": "version = :version",
                "ExpressionAttributeValues": to_attributes({":version": before.version}),
            }
        }

    def _ledger_put(
        self, order_id: str, before: Ledger, returned: Mapping[str, int]
    ) -> dict[str, Any]:
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": to_attributes(
                {
                    **keys.returns_ledger_key(order_id),
                    "returned": dict(returned),
                    "version": before.version + 1,
                }
            ),
        }
        if before.version == 0:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :version"
            put["ExpressionAttributeValues"] = to_attributes({":version": before.version})
        return {"Put": put}

    def _ledger_release(self, record: ReturnRecord) -> dict[str, Any]:
        quantities = list(record.quantities().items())
        names = {f"#s{i}": sku for i, (sku, _) in enumerate(quantities)}
        values: dict[str, Any] = {f":q{i}": q for i, (_, q) in enumerate(quantities)}
        values[":one"] = 1
        sets = [f"returned.#s{i} = returned.#s{i} - :q{i}" for i in range(len(quantities))]
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(keys.returns_ledger_key(record.order_id)),
                # The version moves too: a request that read the ledger before re-reads it.
                "UpdateExpression": "SET " + ", ".join([*sets, "version = version + :one"]),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_attributes(values),
            }
        }

    def _claim_tracking(self, record: ReturnRecord) -> list[dict[str, Any]]:
        assert record.label is not None
        number = record.label.tracking_number
        claim = {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(
                    {
                        **keys.return_tracking_key(number),
                        "return_id": record.return_id,
                        "order_id": record.order_id,
                    }
                ),
                "ConditionExpression": "attribute_not_exists(PK) OR return_id = :id",
                "ExpressionAttributeValues": to_attributes({":id": record.return_id}),
            }
        }
        not_outbound = {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": to_attributes(keys.tracking_key(number)),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        return [claim, not_outbound]

    def _idempotency_put(
        self, return_id: str, idempotency: tuple[str, str, str], now: datetime
    ) -> dict[str, Any]:
        scope, key, body_hash = idempotency
        item = {
            **keys.idempotency_key(scope, key),
            "body_hash": body_hash,
            "return_id": return_id,
            "expires_at": int((now + IDEMPOTENCY_RETENTION).timestamp()),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_attributes(item),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }


def _reasons(exc: ClientError) -> list[str]:
    return [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]


def _lost_race(exc: ClientError, reasons: list[str]) -> bool:
    code = exc.response.get("Error", {}).get("Code")
    if code == "TransactionConflictException":
        return True
    return code == "TransactionCanceledException" and (
        "ConditionalCheckFailed" in reasons[:2] or "TransactionConflict" in reasons
    )
