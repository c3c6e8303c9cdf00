"""Our own format (docs/api.md, "Carrier webhooks"), for carriers integrated directly.

Signature: ``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``,
rejected when ``t`` is more than 5 minutes off. The sender already speaks canonical statuses and
names its own event ids, so nothing is mapped or derived here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from chalicelib.domain.tracking.events import (
    MAX_CARRIER,
    MAX_CARRIER_STATUS,
    MAX_DESCRIPTION,
    MAX_EVENT_ID,
    MAX_EVENTS,
    MAX_LOCATION,
    MAX_TRACKING_NUMBER,
    ParsedBatch,
    TrackingEvent,
)
from chalicelib.domain.tracking.payload import validate_json
from chalicelib.domain.tracking.signatures import required_header, verify_timestamped_hmac
from chalicelib.domain.tracking.status import ParcelStatus

NAME = "generic"
SIGNATURE_HEADER = "X-Signature"


class GenericEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str = Field(min_length=1, max_length=MAX_EVENT_ID)
    carrier: str = Field(min_length=1, max_length=MAX_CARRIER)
    tracking_number: str = Field(min_length=1, max_length=MAX_TRACKING_NUMBER)
    status: ParcelStatus
    occurred_at: AwareDatetime
    location: str | None = Field(default=None, max_length=MAX_LOCATION)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    carrier_status: str | None = Field(default=None, max_length=MAX_CARRIER_STATUS)
    estimated_delivery: date | None = None


class GenericBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    events: list[GenericEvent] = Field(min_length=1, max_length=MAX_EVENTS)


def verify(headers: Mapping[str, str], raw_body: bytes, secret: str, now: datetime) -> None:
    value = required_header(headers, SIGNATURE_HEADER)
    verify_timestamped_hmac(value, raw_body, secret, now, SIGNATURE_HEADER)


def parse(raw_body: bytes) -> ParsedBatch:
    batch = validate_json(GenericBatch, raw_body, NAME)
    return ParsedBatch(events=tuple(_event(item) for item in batch.events))


def _event(item: GenericEvent) -> TrackingEvent:
    return TrackingEvent(
        event_id=item.event_id,
        source=NAME,
        carrier=item.carrier,
        tracking_number=item.tracking_number,
        status=item.status,
        occurred_at=item.occurred_at,
        carrier_status=item.carrier_status,
        location=item.location,
        description=item.description,
        estimated_delivery=item.estimated_delivery,
    )
