"""Outbox records as they arrive on the table's stream (DynamoDB's attribute-value format)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from chalicelib.domain.outbox import OutboxMessage
from chalicelib.store import keys
from chalicelib.store.attributes import from_attributes


@dataclass(frozen=True, slots=True)
class UnreadableRecord:
    """An outbox record whose message cannot be parsed: retrying would never fix it."""

    sequence_number: str | None
    error: str


def outbox_messages(
    records: Iterable[Mapping[str, Any]],
) -> tuple[list[OutboxMessage], list[UnreadableRecord]]:
    """The outbox messages newly written in ``records``; every other change is ignored.

    Only inserts count: an outbox record is written once and removed by TTL, and a TTL removal
    or any other item's change is not news.
    """
    messages: list[OutboxMessage] = []
    unreadable: list[UnreadableRecord] = []
    for record in records:
        change = record.get("dynamodb", {})
        pk = change.get("Keys", {}).get("PK", {}).get("S", "")
        if record.get("eventName") != "INSERT" or not keys.is_outbox(pk):
            continue
        image = from_attributes(change.get("NewImage", {}))
        try:
            messages.append(OutboxMessage.model_validate_json(image.get("message", "")))
        except ValidationError as exc:
            unreadable.append(
                UnreadableRecord(change.get("SequenceNumber"), f"{exc.error_count()} error(s)")
            )
    return messages, unreadable
