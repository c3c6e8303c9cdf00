"""Carrier webhooks: verify each sender's signature, parse its payload, map its statuses.

Pure: no AWS, no Chalice, no environment; ``now`` and the secret are passed in. The route
looks the sender up with ``get_source(name)`` (through ``deps.webhook_source``), calls
``verify`` on the raw body and headers, then ``parse``, and hands the canonical
``TrackingEvent``s to the order service.
"""

from typing import TYPE_CHECKING, Any

from chalicelib.domain.tracking.events import (
    EventOutcome,
    ParsedBatch,
    SkippedItem,
    TrackingEvent,
    derive_event_id,
)
from chalicelib.domain.tracking.status import ParcelStatus, SkipReason

if TYPE_CHECKING:
    from chalicelib.domain.tracking.sources.registry import SOURCES, WebhookSource, get_source

# The registry loads every sender's adapter; the order service, the sender and the sweep use
# the event types above and never parse a webhook, so the registry loads on first access.
_REGISTRY_NAMES = frozenset({"SOURCES", "WebhookSource", "get_source"})


def __getattr__(name: str) -> Any:
    if name in _REGISTRY_NAMES:
        from chalicelib.domain.tracking.sources import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
