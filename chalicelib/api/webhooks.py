"""Carrier and aggregator webhooks: verify the sender's signature, map, store each event once."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.http import json_response, raw_body
from chalicelib.api.routing import Operation, route
from chalicelib.domain import errors
from chalicelib.models.orders import WebhookResult
from chalicelib.observability import logger, metrics
from chalicelib.settings import get_secrets

webhooks_bp = Blueprint(__name__)


@route(
    webhooks_bp,
    Operation(
        "/v1/webhooks/{source}", "POST",
        "Parcel status events from a carrier or aggregator (generic, easypost, aftership, "
        "shippo, 17track), each signed with its sender's scheme",
        "webhooks", request=deps.generic_webhook_batch, response=WebhookResult, auth="signature",
    ),
)  # fmt: skip
def receive(source: str) -> Response:
    sources = deps.webhook_sources()
    sender = sources.get(source)
    if sender is None:
        raise errors.InvalidInput(
            f"unknown webhook source {source!r}",
            [{"loc": ["source"], "msg": f"Input should be one of {', '.join(sources)}"}],
        )
    request = webhooks_bp.current_request
    raw = raw_body(request)
    now = datetime.now(UTC)
    # Nothing is parsed, let alone stored, before the signature holds.
    sender.verify(dict(request.headers), raw, get_secrets().webhook_secrets[source], now)
    batch = sender.parse(raw)
    logger.append_keys(webhook_source=source, events=len(batch.events))
    result = deps.order_service().record_carrier_events(batch.events)
    result = result.model_copy(update={"skipped": len(batch.skipped)})
    metrics.add_metric(name="TrackingEventsAccepted", unit="Count", value=result.accepted)
    metrics.add_metric(name="TrackingEventsDuplicate", unit="Count", value=result.duplicates)
    return json_response(result)
