"""Withdrawal declarations in the single table: the declaration (kept as proof for the retention
time, in a partition of its own, so nothing that happens to an order removes it), its link in
the order's partition when matched, the duplicate guard, the Idempotency-Key, the address's
acknowledgements of the day, and the outbox record of the acknowledgement.

A declaration commits in one transaction: the declaration (absent before), the duplicate guard
(absent, or older than the hour), the Idempotency-Key (absent), the order's link, the address's
daily count (below the limit) and the outbox record. Each refused condition is told apart by its
place in the transaction (``CancellationReasons``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.withdrawals import (
    Declaration,
    Period,
    WithdrawalRecord,
    WithdrawnItem,
    acknowledgement_day,
    address_key,
)
from chalicelib.store import keys
from chalicelib.store.attributes import from_attributes, plain, to_attributes
from chalicelib.store.outbox import outbox_put
from chalicelib.store.returns import IDEMPOTENCY_RETENTION

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DuplicateDeclaration(Exception):
    """The same declaration was recorded within the hour (by a concurrent request, too)."""


class WithdrawalKeyUsed(Exception):
    """The Idempotency-Key was taken by a request that committed first."""


class AcknowledgementLimitReached(Exception):
    """The address has had its acknowledgements for the day."""


@dataclass(frozen=True, slots=True)
class UsedKey:
    body_hash: str
    withdrawal_id: str


@dataclass(frozen=True, slots=True)
class NewWithdrawal:
    record: WithdrawalRecord
    fingerprint: str
    duplicate_until: datetime
    message: OutboxMessage
    daily_limit: int  # checked only when the record's acknowledgement is "sent"
    idempotency: tuple[str, str] | None = None  # key, body hash


# Which refusal wins when several parts are refused (a replayed key answers the first body).
_REFUSALS: tuple[tuple[str, type[Exception]], ...] = (
    ("key", WithdrawalKeyUsed),
    ("duplicate", DuplicateDeclaration),
    ("limit", AcknowledgementLimitReached),
)


class WithdrawalStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- reads -----------------------------------------------------------------------------
    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        response = self._client.get_item(
            TableName=self._table, Key=to_attributes(key), ConsistentRead=True
        )
        item = response.get("Item")
        return plain(from_attributes(item)) if item else None

    def get(self, withdrawal_id: str) -> WithdrawalRecord | None:
        item = self._get(keys.withdrawal_key(withdrawal_id))
        return withdrawal_from_item(item) if item else None

    def duplicate_of(self, fingerprint: str, now: datetime) -> str | None:
        """The declaration recorded with this fingerprint within the hour, if any."""
        item = self._get(keys.withdrawal_duplicate_key(fingerprint))
        if item is None or int(item["expires_at"]) < int(now.timestamp()):
            return None
        return str(item["withdrawal_id"])

    def used_key(self, key: str) -> UsedKey | None:
        item = self._get(keys.idempotency_key("withdrawal", key))
        return UsedKey(item["body_hash"], item["withdrawal_id"]) if item else None

    def of_order(self, order_id: str) -> list[WithdrawalRecord]:
        """The order's matched declarations, oldest first."""
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=to_attributes(
                {":pk": keys.order_key(order_id)["PK"], ":prefix": keys.order_withdrawal_prefix()}
            ),
        )
        ids = [str(from_attributes(i)["withdrawal_id"]) for i in response.get("Items", [])]
        found = [self.get(i) for i in ids]
        return sorted((r for r in found if r is not None), key=lambda r: r.received_at)

    def received_between(self, first: date, last: date) -> list[WithdrawalRecord]:
        """Declarations received on the days ``first`` to ``last`` (UTC), oldest first: one
        query per month of the range (GSI1, eventually consistent)."""
        records: list[WithdrawalRecord] = []
        for month in _months(first, last):
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": "GSI1",
                "KeyConditionExpression": "GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to",
                "ExpressionAttributeValues": to_attributes(
                    {
                        ":pk": keys.withdrawals_by_month(month),
                        ":from": first.isoformat(),
                        ":to": f"{last.isoformat()}~",  # after every instant of the last day
                    }
                ),
            }
            while True:
                page = self._client.query(**kwargs)
                records += [withdrawal_from_item(plain(from_attributes(i))) for i in page["Items"]]
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return records

    # -- writes ----------------------------------------------------------------------------
    def create(self, new: NewWithdrawal) -> None:
        """Commit the declaration; DuplicateDeclaration, WithdrawalKeyUsed or
        AcknowledgementLimitReached when that part's condition refused it."""
        items, parts = self._transaction(new)
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            refused = {p for p, i in parts.items() if i < len(reasons) and _failed(reasons[i])}
            for part, error in _REFUSALS:
                if part in refused:
                    raise error() from exc
            raise

    def _transaction(self, new: NewWithdrawal) -> tuple[list[Any], dict[str, int]]:
        record = new.record
        now = record.received_at
        expires = int(record.retain_until.timestamp())
        record_item = {
            **keys.withdrawal_key(record.withdrawal_id),
            **keys.withdrawals_received_index(_utc_iso(now), record.withdrawal_id),
            **withdrawal_to_item(record),
            "expires_at": expires,
        }
        duplicate = {
            **keys.withdrawal_duplicate_key(new.fingerprint),
            "withdrawal_id": record.withdrawal_id,
            "expires_at": int(new.duplicate_until.timestamp()),
        }
        items: list[Any] = [
            self._put(record_item, "attribute_not_exists(PK)"),
            # TTL removes items late: an expired guard is taken over, not obeyed.
            self._put(
                duplicate,
                "attribute_not_exists(PK) OR expires_at < :now",
                {":now": int(now.timestamp())},
            ),
            outbox_put(self._table, record.withdrawal_id, new.message, 0, now),
        ]
        parts = {"record": 0, "duplicate": 1}
        if new.idempotency is not None:
            key, body_hash = new.idempotency
            parts["key"] = len(items)
            used = {
                **keys.idempotency_key("withdrawal", key),
                "body_hash": body_hash,
                "withdrawal_id": record.withdrawal_id,
                "expires_at": int((now + IDEMPOTENCY_RETENTION).timestamp()),
            }
            items.append(self._put(used, "attribute_not_exists(PK)"))
        if record.acknowledgement == "sent":
            parts["limit"] = len(items)
            items.append(self._count_acknowledgement(record, new.daily_limit))
        if record.matched:
            link = {
                **keys.order_withdrawal_key(record.declaration.order_id, record.withdrawal_id),
                "withdrawal_id": record.withdrawal_id,
                "expires_at": expires,
            }
            items.append(self._put(link, None))
        return items, parts

    def _put(
        self, item: dict[str, Any], condition: str | None, values: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self._table, "Item": to_attributes(item)}
        if condition:
            put["ConditionExpression"] = condition
        if values:
            put["ExpressionAttributeValues"] = to_attributes(values)
        return {"Put": put}

    def set_return(self, withdrawal_id: str, return_id: str) -> None:
        """Note the return opened from the declaration (once: a second return is refused by
        the return's own Idempotency-Key before this)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=to_attributes(keys.withdrawal_key(withdrawal_id)),
                UpdateExpression="SET return_id = :id",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(return_id)",
                ExpressionAttributeValues=to_attributes({":id": return_id}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def _count_acknowledgement(self, record: WithdrawalRecord, limit: int) -> dict[str, Any]:
        day = acknowledgement_day(record.received_at)
        return {
            "Update": {
                "TableName": self._table,
                "Key": to_attributes(
                    keys.withdrawal_acknowledgements_key(
                        address_key(record.declaration.email), day.isoformat()
                    )
                ),
                "UpdateExpression": "ADD sent :one SET expires_at = :expires",
                "ConditionExpression": "attribute_not_exists(sent) OR sent < :limit",
                "ExpressionAttributeValues": to_attributes(
                    {
                        ":one": 1,
                        ":limit": limit,
                        ":expires": int(record.received_at.timestamp()) + 2 * 86400,
                    }
                ),
            }
        }


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _failed(reason: str) -> bool:
    return reason == "ConditionalCheckFailed"


def _utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _months(first: date, last: date) -> list[str]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# -- the item ------------------------------------------------------------------------------------
def withdrawal_to_item(record: WithdrawalRecord) -> dict[str, Any]:
    d = record.declaration
    p = record.period
    return {
        "withdrawal_id": record.withdrawal_id,
        "name": d.name,
        "order_id": d.order_id,
        "email": d.email,
        "items": [{"sku": i.sku, "quantity": i.quantity} for i in d.items],
        "locale": d.locale,
        "received_at": _utc_iso(record.received_at),
        "matched": record.matched,
        "period": None
        if p is None
        else {
            "state": p.state,
            "days": p.days,
            "delivered_at": _utc_iso(p.delivered_at) if p.delivered_at else None,
            "ends_on": p.ends_on.isoformat() if p.ends_on else None,
        },
        "zone": record.zone,
        "language": record.language,
        "acknowledgement": record.acknowledgement,
        "retain_until": _utc_iso(record.retain_until),
        # Absent until a return is opened: set_return's condition asks for its absence.
        **({"return_id": record.return_id} if record.return_id else {}),
    }


def withdrawal_from_item(item: dict[str, Any]) -> WithdrawalRecord:
    p = item.get("period")
    return WithdrawalRecord(
        withdrawal_id=item["withdrawal_id"],
        declaration=Declaration(
            name=item["name"],
            order_id=item["order_id"],
            email=item["email"],
            items=tuple(WithdrawnItem(i["sku"], int(i["quantity"])) for i in item["items"]),
            locale=item.get("locale"),
        ),
        received_at=datetime.fromisoformat(item["received_at"]),
        matched=bool(item["matched"]),
        period=None
        if not p
        else Period(
            state=p["state"],
            days=int(p["days"]),
            delivered_at=_instant(p.get("delivered_at")),
            ends_on=date.fromisoformat(p["ends_on"]) if p.get("ends_on") else None,
        ),
        zone=item["zone"],
        language=item["language"],
        acknowledgement=item["acknowledgement"],
        retain_until=datetime.fromisoformat(item["retain_until"]),
        return_id=item.get("return_id"),
    )
