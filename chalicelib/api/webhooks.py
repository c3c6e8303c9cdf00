"""Carrier and aggregator webhooks: verify the sender's signature, map, store each event once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.http import json_response, raw_body
from chalicelib.api.routing import Operation, lazy_model, route
from chalicelib.domain import errors
from chalicelib.observability import logger, metrics
from chalicelib.settings import get_secrets

webhooks_bp = Blueprint(__name__)


@route(
    webhooks_bp,
    Operation(
        "/v1/webhooks/{source}", "POST",
        "Parcel status events from a carrier or aggregator (generic, easypost, aftership, "
        "shippo, 17track), each signed with its sender's scheme",
        "webhooks", request=deps.generic_webhook_batch, response=lazy_model("orders.WebhookResult"),
        path_params=lazy_model("orders.WebhookSourcePath"), auth="signature",
    ),
)  # fmt: skip
def receive(source: str) -> Response:
    sender = deps.webhook_source(source)
    request = webhooks_bp.current_request
    raw = raw_body(request)
    now = datetime.now(UTC)
    secret = get_secrets().webhook_secret(source)
    if secret is None:  # the deployment's secret document names no secret for this source
        logger.error("no webhook secret configured", extra={"webhook_source": source})
        raise errors.InvalidSignature("the signature cannot be verified")
    # Nothing is parsed, let alone stored, before the signature holds.
    sender.verify(dict(request.headers), raw, secret, now)
    batch = sender.parse(raw)
    logger.thread_safe_append_keys(webhook_source=source, events=len(batch.events))
    # Events the sender cannot fix are skipped and counted, never a refusal of the whole
    # webhook: a sender retries a refusal and in the end switches the endpoint off.
    result = deps.order_service().record_carrier_events(batch.events)
    skipped = Counter(result.skipped) + Counter(item.reason for item in batch.skipped)
    result = result.model_copy(update={"skipped": dict(sorted(skipped.items()))})
    metrics.add_metric(name="TrackingEventsAccepted", unit="Count", value=result.accepted)
    metrics.add_metric(name="TrackingEventsDuplicate", unit="Count", value=result.duplicates)
    metrics.add_metric(name="TrackingEventsSkipped", unit="Count", value=skipped.total())
    return json_response(result)
