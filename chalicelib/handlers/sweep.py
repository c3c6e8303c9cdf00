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
    changed = deps.order_service().sweep_due()
    logger.info("due orders swept", extra={"changed": changed})
    metrics.add_metric(name="OrdersReevaluatedBySchedule", unit="Count", value=changed)
    return {"changed": changed}
