"""Carrier and aggregator webhooks: verify the sender's signature, map, store each event once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.http import json_response, raw_body
from chalicelib.api.routing import Operation, route
from chalicelib.domain import errors
from chalicelib.domain.date_range import accepted_range
from chalicelib.models.orders import WebhookResult, WebhookSourcePath
from chalicelib.observability import logger, metrics
from chalicelib.settings import get_secrets

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.domain.tracking import TrackingEvent
    from chalicelib.services.orders import IncomingEvent

webhooks_bp = Blueprint(__name__)


def generic_batch() -> type[BaseModel]:
    """The generic format's model, for the OpenAPI document.

    The tracking adapters (five senders' formats and status maps) load with the first webhook
    rather than with every container, so that the API's cold start stays small.
    """
    from chalicelib.domain.tracking.sources.generic import GenericBatch

    return GenericBatch


def incoming(event: TrackingEvent) -> IncomingEvent:
    from chalicelib.domain.orders import ShipmentEvent
    from chalicelib.services.orders import IncomingEvent

    return IncomingEvent(
        tracking_number=event.tracking_number,
        source=event.source,
        event=ShipmentEvent(
            event_id=event.event_id,
            status=event.status,
            occurred_at=event.occurred_at,
            estimated_delivery=event.estimated_delivery,
            carrier_status=event.carrier_status,
            location=event.location,
            description=event.description,
        ),
    )


@route(
    webhooks_bp,
    Operation(
        "/v1/webhooks/{source}", "POST",
        "Parcel status events from a carrier or aggregator (generic, easypost, aftership, "
        "shippo, 17track), each signed with its sender's scheme",
        "webhooks", request=generic_batch, response=WebhookResult, path_params=WebhookSourcePath,
        auth="signature",
    ),
)  # fmt: skip
def receive(source: str) -> Response:
    from chalicelib.domain.tracking import SOURCES
    from chalicelib.domain.tracking.events import check_dates

    sender = SOURCES.get(source)
    if sender is None:
        raise errors.InvalidInput(
            f"unknown webhook source {source!r}",
            [{"loc": ["source"], "msg": f"Input should be one of {', '.join(SOURCES)}"}],
        )
    request = webhooks_bp.current_request
    raw = raw_body(request)
    now = datetime.now(UTC)
    # Nothing is parsed, let alone stored, before the signature holds.
    sender.verify(dict(request.headers), raw, get_secrets().webhook_secrets[source], now)
    batch = sender.parse(raw)
    check_dates(batch.events, accepted_range(now))
    logger.thread_safe_append_keys(webhook_source=source, events=len(batch.events))
    from chalicelib.services.orders import apply_events  # loaded by the first event, see orders

    result = apply_events(deps.orders_context(), (incoming(e) for e in batch.events))
    result = result.model_copy(update={"skipped": len(batch.skipped)})
    metrics.add_metric(name="TrackingEventsAccepted", unit="Count", value=result.accepted)
    metrics.add_metric(name="TrackingEventsDuplicate", unit="Count", value=result.duplicates)
    return json_response(result)
