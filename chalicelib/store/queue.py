"""The notification queue (SQS): the only module that talks to it.

Used by the stream relay (enqueue outbox messages, batched) and by the sender (a delayed copy of
a message that must wait; a longer pause before retrying a throttled one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import (
        BatchResultErrorEntryTypeDef,
        SendMessageBatchRequestEntryTypeDef,
    )

MAX_BATCH = 10  # SendMessageBatch takes at most ten entries
MAX_DELAY_SECONDS = 900  # SQS delays a message at most 15 minutes
MAX_VISIBILITY_SECONDS = 43_200


class EnqueueFailed(Exception):
    """SQS refused some entries of a batch; the caller must not treat them as sent."""

    def __init__(self, failed: Sequence[BatchResultErrorEntryTypeDef]) -> None:
        codes = sorted({str(entry.get("Code")) for entry in failed})
        super().__init__(f"{len(failed)} message(s) not enqueued: {', '.join(codes)}")
        self.failed = list(failed)


class NotificationQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send_all(self, bodies: Sequence[str], kind_of: Sequence[str] | None = None) -> int:
        """Enqueue every body, ten per request; raise EnqueueFailed unless all were accepted."""
        failed: list[BatchResultErrorEntryTypeDef] = []
        for start in range(0, len(bodies), MAX_BATCH):
            chunk = bodies[start : start + MAX_BATCH]
            entries: list[SendMessageBatchRequestEntryTypeDef] = []
            for offset, body in enumerate(chunk):
                entry: SendMessageBatchRequestEntryTypeDef = {
                    "Id": str(offset),
                    "MessageBody": body,
                }
                if kind_of is not None:
                    entry["MessageAttributes"] = {
                        "kind": {"DataType": "String", "StringValue": kind_of[start + offset]}
                    }
                entries.append(entry)
            answer = self._client.send_message_batch(QueueUrl=self._url, Entries=entries)
            failed += answer.get("Failed", [])
        if failed:
            raise EnqueueFailed(failed)
        return len(bodies)

    def send_later(self, body: str, delay_seconds: int) -> None:
        delay = max(0, min(MAX_DELAY_SECONDS, delay_seconds))
        self._client.send_message(QueueUrl=self._url, MessageBody=body, DelaySeconds=delay)

    def retry_after(self, receipt_handle: str, seconds: int) -> None:
        """Keep a received message hidden for ``seconds`` before SQS offers it again."""
        self._client.change_message_visibility(
            QueueUrl=self._url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(0, min(MAX_VISIBILITY_SECONDS, seconds)),
        )
