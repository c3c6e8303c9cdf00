"""The stream relay: outbox records newly in the table → messages on the notification queue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.outbox import QueuedNotification
from chalicelib.store.outbox_stream import UnreadableRecord, outbox_messages
from chalicelib.store.queue import NotificationQueue


@dataclass(frozen=True, slots=True)
class Relayed:
    enqueued: int
    unreadable: list[UnreadableRecord]


def relay(records: Iterable[Mapping[str, Any]], queue: NotificationQueue) -> Relayed:
    """Enqueue every outbox message in ``records``; raise if SQS did not take them all.

    Raising is the point: the stream then hands the same batch again, so a change the table
    accepted reaches the queue once SQS is back. A repeat is harmless — the sender sends each
    milestone once.
    """
    messages, unreadable = outbox_messages(records)
    bodies = [QueuedNotification(message=m).model_dump_json() for m in messages]
    enqueued = queue.send_all(bodies, [m.kind for m in messages]) if bodies else 0
    return Relayed(enqueued, unreadable)
