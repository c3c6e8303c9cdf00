"""Stream retention for the embedded AWS: what DynamoDB Streams forgets, moto keeps.

moto (5.2) keeps every stream record, each with the whole old and new item, and every shard
iterator it has issued, for the life of the process; DynamoDB keeps records 24 h and an iterator
15 minutes. Under `make run` the order item is rewritten about 15 times per order and the pump
asks for a new iterator with every read, so the process grows with every order. The pump knows
how far every stream handler has read; records all of them have read are dropped here, and
iterators older than DynamoDB's 15 minutes expire. Reaching into moto's backend in the same
process keeps this small; it goes away when moto retains records and iterators as AWS does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID  # the account the embedded AWS serves

ITERATOR_LIFETIME_SECONDS = 15 * 60  # DynamoDB Streams' shard iterator lifetime


@dataclass
class StreamRetention:
    table_name: str
    region: str
    clock: Callable[[], float] = time.monotonic
    _issued_at: dict[str, float] = field(default_factory=dict)

    def release(self, read_up_to: int, in_use: set[str]) -> int:
        """Drop the stream records up to sequence number `read_up_to` (every reader is past
        them) and the expired shard iterators save those `in_use` (a reader's next read, which
        may wait long behind a failing handler); returns how many records were dropped."""
        from devstack.embedded_aws import EMULATOR_LOCK

        with EMULATOR_LOCK:  # moto appends records and issues iterators under the same lock
            dropped = self._drop_read_records(read_up_to)
            self._expire_iterators(in_use)
        return dropped

    def records_held(self) -> int:
        shard = self._shard()
        return len(shard.items) if shard is not None else 0

    def _shard(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][self.region]
        return backend.get_table(self.table_name).stream_shard

    def _drop_read_records(self, read_up_to: int) -> int:
        shard = self._shard()
        if shard is None:
            return 0
        # moto numbers records by list position from starting_sequence_number: moving that
        # start by what is dropped keeps every remaining and future number, and TRIM_HORIZON
        # then starts at the oldest record kept, as after DynamoDB's own trimming.
        count = min(read_up_to + 1 - shard.starting_sequence_number, len(shard.items))
        if count <= 0:
            return 0
        del shard.items[:count]
        shard.starting_sequence_number += count
        return count

    def _expire_iterators(self, in_use: set[str]) -> None:
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        iterators = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][self.region].shard_iterators
        now = self.clock()
        # First seen by this pass stands in for issued: moto records no issue time.
        self._issued_at = {arn: self._issued_at.get(arn, now) for arn in iterators}
        for arn, issued in list(self._issued_at.items()):
            if now - issued >= ITERATOR_LIFETIME_SECONDS and arn not in in_use:
                del iterators[arn]
                del self._issued_at[arn]
