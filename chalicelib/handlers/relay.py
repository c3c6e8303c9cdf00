"""DynamoDB stream → notification queue: every outbox record the table accepted, enqueued."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import DynamoDBEvent

from chalicelib import deps
from chalicelib.observability import logger, metrics

relay_bp = Blueprint(__name__)

# Chalice wants a literal ARN here, but a stream's ARN exists only once the table does: the
# packaged template replaces it with the table's StreamArn (infra/resources.json), and the local
# event pump reads the stream of the table it created.
PACKAGED_STREAM_ARN = (
    "arn:aws:dynamodb:eu-central-1:123456789012:table/promise-keeper/stream/2026-01-01T00:00:00.000"
)


@relay_bp.on_dynamodb_record(
    stream_arn=PACKAGED_STREAM_ARN,
    batch_size=100,
    starting_position="TRIM_HORIZON",
    name="relay_outbox",
)
def relay_outbox(event: DynamoDBEvent) -> dict[str, Any]:
    from chalicelib.services.outbox_relay import relay

    # An exception here fails the batch and the stream hands it again: nothing accepted is lost.
    result = relay(event.to_dict().get("Records", []), deps.notification_queue())
    for record in result.unreadable:
        logger.error(
            "unreadable outbox record skipped",
            extra={"sequence_number": record.sequence_number, "error": record.error},
        )
    metrics.add_metric(name="OutboxMessagesRelayed", unit="Count", value=result.enqueued)
    if result.unreadable:
        metrics.add_metric(
            name="OutboxRecordsUnreadable", unit="Count", value=len(result.unreadable)
        )
    return {"enqueued": result.enqueued, "unreadable": len(result.unreadable)}
