"""RATING_DUE: one item per delivered order until it is rated or reminded, found by due time
through GSI2 under its own partition prefix (see keys.rating_due_shard)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalicelib.store import keys
from chalicelib.store.attributes import to_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def due_sort_key(due_at: datetime, order_id: str) -> str:
    return keys.due_sort_key(due_at.astimezone(UTC).isoformat(), order_id)


def rating_due_put(table: str, order_id: str, due_at: datetime) -> TransactWriteItemTypeDef:
    """The Put for the order's transaction that delivered its first parcel."""
    item = {
        **keys.rating_due_key(order_id),
        "GSI2PK": keys.rating_due_shard(order_id),
        "GSI2SK": due_sort_key(due_at, order_id),
    }
    return {"Put": {"TableName": table, "Item": to_attributes(item)}}


def rating_due_delete(table: str, order_id: str) -> TransactWriteItemTypeDef:
    """The Delete for the rating's transaction: a rated order needs no reminder."""
    return {"Delete": {"TableName": table, "Key": to_attributes(keys.rating_due_key(order_id))}}
