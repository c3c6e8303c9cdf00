"""Outbox records as a change writes them: one Put in the change's own transaction.

Orders, returns and ratings each announce their changes this way; the stream relay
(`outbox_stream.py`, `services/outbox_relay.py`) reads them back. The revision in the key makes
a repeated change (in_transit → exception → in_transit) a new record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.outbox import OutboxMessage
from chalicelib.store import keys
from chalicelib.store.attributes import to_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# Long enough for the stream (24 h) and a relay outage; TTL removes them after.
OUTBOX_RETENTION = timedelta(days=7)


def outbox_put(
    table_name: str, order_id: str, message: OutboxMessage, revision: int, now: datetime
) -> TransactWriteItemTypeDef:
    item = {
        **keys.outbox_key(order_id, message.message_id, revision),
        "message": message.model_dump_json(),
        "expires_at": int((now + OUTBOX_RETENTION).timestamp()),
    }
    return {"Put": {"TableName": table_name, "Item": to_attributes(item)}}
