"""The schedule that asks once more: three days after delivery, customers who have not rated
get one reminder (an outbox message, sent by the notification pipeline like any other)."""

from __future__ import annotations

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib import deps
from chalicelib.observability import logger, metrics

rating_reminders_bp = Blueprint(__name__)


@rating_reminders_bp.schedule(Rate(1, unit=Rate.HOURS), name="send_rating_reminders")
def send_rating_reminders(event: CloudWatchEvent) -> dict[str, int]:
    sent = deps.feedback_service().send_reminders()
    logger.info("rating reminders queued", extra={"sent": sent})
    metrics.add_metric(name="RatingRemindersQueued", unit="Count", value=sent)
    return {"sent": sent}
