"""DynamoDB stream → counters: every fact the table accepted, counted once (see services)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalice import Blueprint
from chalice.app import DynamoDBEvent

from chalicelib import deps
from chalicelib.handlers.relay import PACKAGED_STREAM_ARN
from chalicelib.observability import logger, metrics

projections_bp = Blueprint(__name__)


@projections_bp.on_dynamodb_record(
    stream_arn=PACKAGED_STREAM_ARN,
    batch_size=100,
    starting_position="TRIM_HORIZON",
    name="project_counters",
)
def project_counters(event: DynamoDBEvent) -> dict[str, Any]:
    from chalicelib.domain.accuracy.projection import LANES
    from chalicelib.services.projections import project

    # A store failure raises: the stream hands the batch again, and facts counted already are
    # recognised by their mark, so nothing is lost and nothing counted twice.
    result = project(event.to_dict().get("Records", []), deps.counter_store(), datetime.now(UTC))
    for fact in result.unreadable:
        logger.error(
            "unreadable fact skipped", extra={"fact": fact.sequence_number, "error": fact.error}
        )
    if LANES in result.families:  # a delivered parcel may have moved a lane's learned window
        deps.refresh_learned_snapshot()
    metrics.add_metric(name="FactsCounted", unit="Count", value=result.counted)
    if result.unreadable:
        metrics.add_metric(name="FactsUnreadable", unit="Count", value=len(result.unreadable))
    return {"counted": result.counted, "repeats": result.repeats}
