"""Notification queue → customers (and the merchant's webhook), one SQS record at a time.

The answer names failed records only (``batchItemFailures``), so one bad message does not
resend the other nine; the infra template switches on ReportBatchItemFailures for this event
source. A record that keeps failing rests in the dead-letter queue after 5 tries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from chalice.app import SQSEvent

from chalicelib import deps
from chalicelib.observability import logger, metrics

if TYPE_CHECKING:
    from chalicelib.domain.outbox import QueuedNotification
    from chalicelib.services.notifications import Report

notify_bp = Blueprint(__name__)

NOTIFICATIONS_QUEUE = "promise-keeper-notifications"  # infra/resources.json: NotificationsQueue
# A record may take up to three sends of at most ~10 s each (channel timeouts, deps.py).
RESERVE_MS = 35_000


@notify_bp.on_sqs_message(queue=NOTIFICATIONS_QUEUE, batch_size=10, name="send_notifications")
def send_notifications(event: SQSEvent) -> dict[str, Any]:
    # The partial batch answer, as Powertools' BatchProcessor gives it, without importing it:
    # with pydantic installed, it loads a model of every event source it supports (about a
    # sixth of this function's cold start). A batch whose every record failed is reported like
    # any other, record by record, so each keeps the retry delay it was given.
    failures = []
    for raw in event.to_dict().get("Records", []):
        record = QueueRecord.of(raw)
        try:
            send_one(record, event.context)
        except Exception:  # whatever failed, it fails this record only; send_one logged it
            failures.append({"itemIdentifier": record.message_id})
    return {"batchItemFailures": failures}


@dataclass(frozen=True)
class QueueRecord:
    """The fields of an SQS record the sender reads."""

    message_id: str
    receipt_handle: str
    body: str
    receive_count: int  # this delivery's number, from 1

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> QueueRecord:
        count = raw.get("attributes", {}).get("ApproximateReceiveCount")
        return cls(raw["messageId"], raw["receiptHandle"], raw["body"], int(count or 1))


def send_one(record: QueueRecord, lambda_context: Any = None) -> None:
    """One record: raising marks this record failed (and only this one)."""
    _check_time_left(lambda_context)
    queued = _parse(record)
    try:
        report = _handle(queued)
    except Exception as exc:
        _after_failure(record, exc)
        raise
    _count(record, queued, report)


def _check_time_left(lambda_context: Any) -> None:
    if lambda_context is not None and lambda_context.get_remaining_time_in_millis() < RESERVE_MS:
        # Too little time left to send safely: hand the record back untouched rather than be
        # cut off mid-send (a timeout fails the whole batch, sent records included).
        raise TimeoutError("not enough time left in this invocation")


def _parse(record: QueueRecord) -> QueuedNotification:
    from pydantic import ValidationError

    from chalicelib.domain.outbox import QueuedNotification
    from chalicelib.services.notifications import UnprocessableNotification

    try:
        return QueuedNotification.model_validate_json(record.body)
    except ValidationError as exc:
        _unprocessable(record, f"not a notification message ({exc.error_count()} error(s))")
        raise UnprocessableNotification("not a notification message") from exc


def _handle(queued: QueuedNotification) -> Report:
    from chalicelib.services.notifications import handle

    if queued.message.kind == "withdrawal_received":  # may name no order: its own use case
        from chalicelib.services.withdrawal_mail import acknowledge

        return acknowledge(deps.acknowledgement_context(), queued.message)
    return handle(deps.notification_context(), queued)


def _after_failure(record: QueueRecord, exc: Exception) -> None:
    """A message that can never be sent is counted; any other failure is retried with backoff."""
    from chalicelib.channels.base import ChannelUnavailable
    from chalicelib.services.notifications import UnprocessableNotification, retry_delay

    if isinstance(exc, UnprocessableNotification):
        _unprocessable(record, str(exc))
        return
    # A channel, the table or the queue failed.
    attempt = record.receive_count
    deps.notification_queue().retry_after(record.receipt_handle, retry_delay(attempt))
    metrics.add_metric(name="NotificationSendsRetried", unit="Count", value=1)
    # Our channel errors carry provider codes only; anything else by its type alone, as
    # provider messages quote the address they refused.
    reason = str(exc) if isinstance(exc, ChannelUnavailable) else type(exc).__name__
    logger.warning(
        "notification not sent yet, retried later",
        extra={"message_id": record.message_id, "attempt": attempt, "reason": reason},
    )


def _count(record: QueueRecord, queued: QueuedNotification, report: Report) -> None:
    logger.info(
        "notification handled",
        extra={
            "message_id": record.message_id,
            "outbox_message": queued.message.message_id,
            "type": report.message_type,
            "sent": report.sent,
            "already_sent": report.already_sent,
            "deferred": report.deferred,
            "skipped": [f"{channel or 'all'}:{reason}" for channel, reason in report.skipped],
        },
    )
    for channel in report.sent:
        metrics.add_metric(name=f"NotificationsSent_{channel}", unit="Count", value=1)
    if report.already_sent:
        metrics.add_metric(
            name="NotificationDuplicatesSuppressed", unit="Count", value=len(report.already_sent)
        )
    if report.deferred:
        metrics.add_metric(name="NotificationsDeferred", unit="Count", value=len(report.deferred))


def _unprocessable(record: QueueRecord, reason: str) -> None:
    metrics.add_metric(name="NotificationMessagesUnprocessable", unit="Count", value=1)
    logger.error(
        "unprocessable notification message",
        extra={
            "message_id": record.message_id,
            "attempt": record.receive_count,
            "reason": reason,
        },
    )
