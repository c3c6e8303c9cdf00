"""Carrier webhooks: verify each sender's signature, parse its payload, map its statuses.

Pure: no AWS, no Chalice, no environment; ``now`` and the secret are passed in. The route
looks the sender up with ``get_source(name)`` (through ``deps.webhook_source``), calls
``verify`` on the raw body and headers, then ``parse``, and hands the canonical
``TrackingEvent``s to the order service.
"""

from chalicelib.domain.tracking.events import (
    EventOutcome,
    ParsedBatch,
    SkippedItem,
    TrackingEvent,
    derive_event_id,
)
from chalicelib.domain.tracking.sources.registry import SOURCES, WebhookSource, get_source
from chalicelib.domain.tracking.status import ParcelStatus, SkipReason

__all__ = [
    "SOURCES",
    "EventOutcome",
    "ParcelStatus",
    "ParsedBatch",
    "SkipReason",
    "SkippedItem",
    "TrackingEvent",
    "WebhookSource",
    "derive_event_id",
    "get_source",
]
