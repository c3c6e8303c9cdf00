"""The schedule that tells customers before they ask: orders whose promise turns with time alone
(a parcel silent too long, the last promised day passed) are re-evaluated and announced."""

from __future__ import annotations

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib import deps
from chalicelib.observability import logger, metrics

sweep_bp = Blueprint(__name__)


@sweep_bp.schedule(Rate(15, unit=Rate.MINUTES), name="sweep_due_orders")
def sweep_due_orders(event: CloudWatchEvent) -> dict[str, int]:
    swept = deps.order_service().sweep_due()
    for order_id, error in swept.failed:
        # The order id and the kind of error: never the order's content (the customer's data).
        logger.error("due order could not be swept", extra={"order_id": order_id, "error": error})
    logger.info("due orders swept", extra={"changed": swept.changed, "failed": len(swept.failed)})
    metrics.add_metric(name="OrdersReevaluatedBySchedule", unit="Count", value=swept.changed)
    metrics.add_metric(name="OrdersSweepFailed", unit="Count", value=len(swept.failed))
    return {"changed": swept.changed, "failed": len(swept.failed)}
