"""moto's reads, at a cost that does not grow with everything stored.

Two of moto's (5.2) reads cost time in proportion to all the data held, not to what they read,
which made `make run`'s event pump slower with every order (a profile of the stack with 1,000
orders: 55 % of its time in the first, 14 % in the second):

- `Table.query` on the table itself (no index) sorts every item of the table to pick out one
  partition (`Table.all_items`), so reading one order from a table of 1,000 orders sorts some
  40,000 items. DynamoDB reads only the partition. Here a base-table query sees only its
  partition; indexes keep moto's own path (they are queried by the sweep and reports only).
- `SQSBackend.receive_message` checks each message's retention period by rendering all the
  queue's attributes, which counts every message in the queue, once per message received.
  Here it reads the queue's retention period directly.

Answers are unchanged: tests/integration/test_moto_reads.py runs the same reads through both.
Drop this module once moto reads a partition and a retention period without the detour.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.utils import unix_time
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.sqs.models import Message, SQSBackend

MOTOS_QUERY: Callable[..., Any] = Table.query
MOTOS_ALL_ITEMS: Callable[[Table], list[Item]] = Table.all_items
MOTOS_RETENTION_CHECK: Callable[..., bool] = SQSBackend.is_message_valid_based_on_retention_period

# The partition a base-table query on this thread reads; None outside such a query.
_reading = threading.local()


def _all_items(self: Table) -> list[Item]:
    hash_key: DynamoType | None = getattr(_reading, "hash_key", None)
    if hash_key is None:
        return MOTOS_ALL_ITEMS(self)
    partition = self.items.get(hash_key)
    if partition is None:
        return []
    if not self.range_key_attr:
        return [partition]  # type: ignore[list-item]  # moto stores a lone item here
    return sorted(partition.values(), key=lambda item: item.range_key)


def _query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    # moto's backend passes index_name positionally, after six other arguments.
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name or hash_key is None:
        return MOTOS_QUERY(self, hash_key, *args, **kwargs)
    _reading.hash_key = hash_key
    try:
        return MOTOS_QUERY(self, hash_key, *args, **kwargs)
    finally:
        _reading.hash_key = None


def _retention_check(self: SQSBackend, queue_name: str, message: Message) -> bool:
    queue = self.get_queue(queue_name)
    # Set from the queue's attributes by name (moto's Queue.__init__), so untyped.
    retention: Any = queue.message_retention_period  # type: ignore[attr-defined]
    retain_until = int(retention) + message.sent_timestamp / 1000  # type: ignore[operator]
    return bool(retain_until > unix_time())


def install() -> None:
    """Partition reads and direct retention checks in every moto backend of this process."""
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = _retention_check  # type: ignore[method-assign]


@contextmanager
def motos_own_reads() -> Iterator[None]:
    """moto's own reads for the duration (to compare answers with them)."""
    current = (Table.query, Table.all_items, SQSBackend.is_message_valid_based_on_retention_period)
    Table.query = MOTOS_QUERY  # type: ignore[method-assign]
    Table.all_items = MOTOS_ALL_ITEMS  # type: ignore[method-assign,assignment]
    SQSBackend.is_message_valid_based_on_retention_period = MOTOS_RETENTION_CHECK  # type: ignore[method-assign]
    try:
        yield
    finally:
        (
            Table.query,  # type: ignore[method-assign]
            Table.all_items,  # type: ignore[method-assign]
            SQSBackend.is_message_valid_based_on_retention_period,  # type: ignore[method-assign]
        ) = current
