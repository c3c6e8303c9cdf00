"""Shippo ``track_updated`` webhooks.

Signature (docs.goshippo.com "Webhook security", HMAC option): header ``Shippo-Auth-Signature``
(their verification script reads it as ``HTTP_SHIPPO_AUTH_SIGNATURE``) with the value
``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``. Shippo enables HMAC per
account on request. The timestamp is checked against a 5-minute window (the docs name none).

Payload: ``{"event": "track_updated", "test": ..., "data": <Track>}``; one event per entry of
``tracking_history`` plus ``tracking_status`` (the latest, usually repeated in the history),
whose ``carrier_status`` is ``<status>/<substatus.code>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, Field

from chalicelib.domain.json_input import read_json
from chalicelib.domain.tracking.checkpoints import Checkpoint, Parcel, build_batch
from chalicelib.domain.tracking.events import MAX_CARRIER, MAX_TRACKING_NUMBER, ParsedBatch
from chalicelib.domain.tracking.payload import (
    join_location,
    parse_day,
    parse_instant,
    validate,
)
from chalicelib.domain.tracking.signatures import required_header, verify_timestamped_hmac
from chalicelib.domain.tracking.status import ParcelStatus, StatusMap

NAME = "shippo"
SIGNATURE_HEADER = "Shippo-Auth-Signature"
TRACKING_EVENTS = frozenset({"track_updated"})

S = ParcelStatus
STATUSES: dict[str, ParcelStatus | None] = {
    "PRE_TRANSIT": S.INFO_RECEIVED,
    "TRANSIT": S.IN_TRANSIT,
    "DELIVERED": S.DELIVERED,
    "RETURNED": S.RETURNED_TO_SENDER,
    "FAILURE": S.EXCEPTION,
    "UNKNOWN": None,
}
DETAILS: dict[str, ParcelStatus | None] = {
    "information_received": S.INFO_RECEIVED,
    "package_accepted": S.IN_TRANSIT,
    "package_arrived": S.IN_TRANSIT,
    "package_departed": S.IN_TRANSIT,
    "package_processing": S.IN_TRANSIT,
    "package_processed": S.IN_TRANSIT,
    "package_forwarded": S.IN_TRANSIT,
    "delivery_scheduled": None,
    "delivery_rescheduled": None,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "pickup_available": S.AVAILABLE_FOR_PICKUP,
    "delivery_attempted": S.FAILED_ATTEMPT,
    "notice_left": S.FAILED_ATTEMPT,
    "location_inaccessible": S.FAILED_ATTEMPT,
    "reschedule_delivery": S.FAILED_ATTEMPT,
    "address_issue": S.EXCEPTION,
    "contact_carrier": S.EXCEPTION,
    "delayed": S.EXCEPTION,
    "package_held": S.EXCEPTION,
    "package_damaged": S.EXCEPTION,
    "package_lost": S.EXCEPTION,
    "package_disposed": S.EXCEPTION,
    "package_unclaimed": S.EXCEPTION,
    "package_undeliverable": S.EXCEPTION,
    "delivered": S.DELIVERED,
    "return_to_sender": S.RETURNED_TO_SENDER,
    "other": None,
}
TABLE = StatusMap(STATUSES, DETAILS)


class _Location(BaseModel):
    city: str | None = None
    state: str | None = None
    country: str | None = None


class _Substatus(BaseModel):
    code: str


class _Status(BaseModel):
    status: str
    substatus: _Substatus | None = None
    status_details: str | None = None
    status_date: str | None = None
    location: _Location | None = None


class _Track(BaseModel):
    carrier: str = Field(min_length=1, max_length=MAX_CARRIER)
    tracking_number: str = Field(min_length=1, max_length=MAX_TRACKING_NUMBER)
    eta: str | None = None
    tracking_status: _Status | None = None
    tracking_history: list[_Status] = Field(default_factory=list)


class _Envelope(BaseModel):
    event: str


class _TrackUpdated(_Envelope):
    data: _Track


def verify(headers: Mapping[str, str], raw_body: bytes, secret: str, now: datetime) -> None:
    value = required_header(headers, SIGNATURE_HEADER)
    verify_timestamped_hmac(value, raw_body, secret, now, SIGNATURE_HEADER)


def parse(raw_body: bytes) -> ParsedBatch:
    data = read_json(raw_body)
    if validate(_Envelope, data, NAME).event not in TRACKING_EVENTS:
        return ParsedBatch()  # transaction or batch events carry no tracking history
    track = validate(_TrackUpdated, data, NAME).data
    parcel = Parcel(
        source=NAME,
        carrier=track.carrier,
        tracking_number=track.tracking_number,
        estimated_delivery=parse_day(track.eta),
    )
    statuses = [*track.tracking_history]
    if track.tracking_status is not None:
        statuses.append(track.tracking_status)
    return build_batch(parcel, map(_checkpoint, statuses), TABLE)


def _checkpoint(status: _Status) -> Checkpoint:
    place = status.location or _Location()
    return Checkpoint(
        status=status.status,
        detail=status.substatus.code if status.substatus else None,
        occurred_at=parse_instant(status.status_date),
        location=join_location(place.city, place.state, place.country),
        description=status.status_details,
    )
