"""moto's TransactWriteItems, rolled back item by item on the same table.

moto (5.2, `DynamoDBBackend.transact_write_items`) deep-copies every table a transaction names
before it starts and, when the transaction is cancelled, puts the copy in the table's place. The
copy costs time and memory that grow with everything written before, and the table put back
carries a copy of its stream shard: a reader holding a shard iterator keeps reading the old shard
and never sees another record (the event pump stopped relaying the outbox after one 409).

Here a transaction remembers, per item it touches, the item as it was, and a cancelled one puts
those items back and drops the stream records it wrote, on the very table and shard. Validation,
conditions and cancellation reasons are moto's own code path, in moto's order; a test runs both
implementations on the same transactions and compares. The write-up for moto's maintainers is
docs/upstream/moto-transact-write-items.md; drop this module once moto rolls back in place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

MOTOS_OWN: Callable[[DynamoDBBackend, list[dict[str, Any]]], None] = (
    DynamoDBBackend.transact_write_items
)
_OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}
Reason = tuple[str, str, dict[str, Any] | None] | tuple[None, None, None]


@dataclass
class _Undo:
    """The items a transaction touched as they were, and each stream's length before it."""

    backend: DynamoDBBackend
    items: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = field(
        default_factory=list
    )
    stream_lengths: dict[int, tuple[Table, int]] = field(default_factory=dict)

    def remember(self, table_name: str, key: dict[str, Any]) -> Item | None:
        """The item now (as moto's `get_item`, same errors), keeping a copy to put back."""
        table = self.backend.get_table(table_name)
        if table.stream_shard is not None:
            self.stream_lengths.setdefault(id(table), (table, len(table.stream_shard.items)))
        hash_key, range_key = self.backend.get_keys_value(table, key)
        current = table.get_item(hash_key, range_key)
        # A copy: an Update changes the stored item in place.
        self.items.append((table, hash_key, range_key, copy.deepcopy(current)))
        return current

    def roll_back(self) -> None:
        for table, hash_key, range_key, before in reversed(self.items):
            _put_back(table, hash_key, range_key, before)
        for table, length in self.stream_lengths.values():
            if table.stream_shard is not None:
                del table.stream_shard.items[length:]


def _put_back(
    table: Table, hash_key: DynamoType, range_key: DynamoType | None, before: Item | None
) -> None:
    # Straight into the table's storage, as moto's own put and delete store: no stream record.
    if range_key:
        if before is None:
            table.items[hash_key].pop(range_key, None)
        else:
            table.items[hash_key][range_key] = before
    elif before is None:
        table.items.pop(hash_key, None)
    else:
        table.items[hash_key] = before  # type: ignore[assignment]  # moto types it as a dict


def _key_of(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _write(backend: DynamoDBBackend, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    table = op["TableName"]
    condition = op.get("ConditionExpression")
    names = op.get("ExpressionAttributeNames")
    values = op.get("ExpressionAttributeValues")
    if op_type == "Put":
        backend.put_item(
            table,
            op["Item"],
            condition_expression=condition,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
    elif op_type == "Delete":
        backend.delete_item(
            table,
            key,
            condition_expression=condition,
            expression_attribute_names=names,
            expression_attribute_values=values,
        )
    elif op_type == "Update":
        # moto's update_item takes names and values positionally and requires them (None works).
        backend.update_item(
            table,
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,  # type: ignore[arg-type]
            expression_attribute_values=values,  # type: ignore[arg-type]
            condition_expression=condition,
        )


def _apply(
    backend: DynamoDBBackend, undo: _Undo, targets: set[tuple[str, str]], item: dict[str, Any]
) -> Reason:
    """One operation of the transaction, as moto's loop body does it: its cancellation reason."""
    if len(item) > 1:
        raise TransactWriteSingleOpException
    op_type, op = next(iter(item.items()))
    if op_type not in _OPERATIONS:
        raise ValueError("Unsupported transaction operation")
    table_name = op["TableName"]
    key = _key_of(backend, op_type, op)
    target = (str(table_name), str(dict(sorted(key.items()))))
    if target in targets:
        raise MultipleTransactionsException()
    targets.add(target)
    current = undo.remember(table_name, key)
    condition = op.get("ConditionExpression")
    if condition is not None:
        check = get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if not check.expr(current):
            wants_old = op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            old = current.to_json()["Attributes"] if wants_old and current else None
            return ("ConditionalCheckFailed", ConditionalCheckFailed(item=old).message, old)
    _write(backend, op_type, op, key)
    return (None, None, None)


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """Drop-in for `DynamoDBBackend.transact_write_items` (same outcomes, no table copy)."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = _Undo(self)
    targets: set[tuple[str, str]] = set()
    reasons: list[Reason] = []
    for item in transact_items:
        try:
            reasons.append(_apply(self, undo, targets, item))
        except (MultipleTransactionsException, MockValidationException):
            undo.roll_back()
            raise
        except ConditionalCheckFailed as exc:
            reasons.append(("ConditionalCheckFailed", str(exc.message), None))
        except Exception as exc:  # as moto: any other failure becomes a cancellation reason
            reasons.append((type(exc).__name__, str(exc), None))
    if any(code is not None for code, _, _ in reasons):
        undo.roll_back()
        raise TransactionCanceledException(reasons)


def install() -> None:
    """Use the item-by-item rollback in every moto backend of this process (idempotent)."""
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


@contextmanager
def motos_own_rollback() -> Iterator[None]:
    """moto's own implementation for the duration (to compare it, or to show the defect)."""
    current = DynamoDBBackend.transact_write_items
    DynamoDBBackend.transact_write_items = MOTOS_OWN  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = current  # type: ignore[method-assign]
