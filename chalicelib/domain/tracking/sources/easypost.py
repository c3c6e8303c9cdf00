"""EasyPost ``tracker.created`` / ``tracker.updated`` Events.

Signature, as EasyPost documents it (docs.easypost.com "Webhooks Guide": HMAC validation with a
``webhook_secret``; support.easypost.com "Webhook HMAC Validation"; the official clients'
``validate_webhook``):

* ``X-Hmac-Signature-V2`` with ``X-Timestamp`` (RFC 2822) and ``X-Path``: HMAC-SHA256 over
  ``<timestamp>POST<path><raw body>``, the timestamp checked against a replay window. Used when
  present, and then authoritative.
* otherwise the legacy ``X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256(secret, raw body)>``,
  which has no timestamp (a replay re-delivers the same checkpoints, recognised as duplicates).

The secret is normalised to NFKD before use, as the official clients do.

Payload: an Event whose ``result`` is a Tracker; one event per ``tracking_details`` entry, whose
``carrier_status`` is ``<status>/<status_detail>``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.domain.errors import InvalidSignature
from chalicelib.domain.json_input import read_json
from chalicelib.domain.tracking.checkpoints import Checkpoint, Parcel, build_batch
from chalicelib.domain.tracking.events import MAX_CARRIER, MAX_TRACKING_NUMBER, ParsedBatch
from chalicelib.domain.tracking.payload import (
    join_location,
    parse_day,
    parse_instant,
    validate,
)
from chalicelib.domain.tracking.signatures import (
    check_freshness,
    header,
    hmac_sha256,
    matches,
    required_header,
)
from chalicelib.domain.tracking.status import ParcelStatus, StatusMap

NAME = "easypost"
TRACKER_EVENTS = frozenset({"tracker.created", "tracker.updated"})
DIGEST_PREFIX = "hmac-sha256-hex="

S = ParcelStatus
STATUSES: dict[str, ParcelStatus | None] = {
    "unknown": None,
    "pre_transit": S.INFO_RECEIVED,
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "delivered": S.DELIVERED,
    "available_for_pickup": S.AVAILABLE_FOR_PICKUP,
    "return_to_sender": S.RETURNED_TO_SENDER,
    "failure": S.EXCEPTION,
    # The shipment was voided: the parcel is not coming, which the customer must hear about.
    "cancelled": S.EXCEPTION,
    # EasyPost could not track the code at all: nothing is known about the parcel.
    "error": None,
}
DETAILS: dict[str, ParcelStatus | None] = {
    "label_created": S.INFO_RECEIVED,
    "awaiting_information": None,
    "received_at_origin_facility": S.IN_TRANSIT,
    "departed_origin_facility": S.IN_TRANSIT,
    "arrived_at_facility": S.IN_TRANSIT,
    "departed_facility": S.IN_TRANSIT,
    "in_transit": S.IN_TRANSIT,
    "transferred_to_destination_carrier": S.IN_TRANSIT,
    "received_at_destination_facility": S.IN_TRANSIT,
    "arrived_at_destination": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "arrived_at_pickup_location": S.AVAILABLE_FOR_PICKUP,
    # EasyPost's code for "attempted, could not deliver" (recipient absent, no access).
    "delivery_exception": S.FAILED_ATTEMPT,
    "address_correction": S.EXCEPTION,
    "delayed": S.EXCEPTION,
    "weather_delay": S.EXCEPTION,
    "transit_exception": S.EXCEPTION,
    "missorted": S.EXCEPTION,
    "held": S.EXCEPTION,
    "refused": S.EXCEPTION,
    "damaged": S.EXCEPTION,
    "lost": S.EXCEPTION,
    "cancelled": S.EXCEPTION,
    "failure": S.EXCEPTION,
    "return": S.RETURNED_TO_SENDER,
    "expired": None,
    "status_update": None,
    "unknown": None,
}
TABLE = StatusMap(STATUSES, DETAILS)


class _Location(BaseModel):
    city: str | None = None
    state: str | None = None
    country: str | None = None


class _Detail(BaseModel):
    status: str
    status_detail: str | None = None
    message: str | None = None
    occurred: str | None = Field(default=None, alias="datetime")
    tracking_location: _Location | None = None


class _Tracker(BaseModel):
    kind: Literal["Tracker"] = Field(alias="object")
    tracking_code: str = Field(min_length=1, max_length=MAX_TRACKING_NUMBER)
    carrier: str = Field(min_length=1, max_length=MAX_CARRIER)
    est_delivery_date: str | None = None
    tracking_details: list[_Detail] = Field(default_factory=list)


class _Envelope(BaseModel):
    kind: Literal["Event"] = Field(alias="object")
    description: str


class _TrackerEvent(_Envelope):
    result: _Tracker


def verify(headers: Mapping[str, str], raw_body: bytes, secret: str, now: datetime) -> None:
    key = unicodedata.normalize("NFKD", secret).encode()
    signature = header(headers, "X-Hmac-Signature-V2")
    if signature:
        _verify_v2(signature, headers, raw_body, key, now)
        return
    legacy = required_header(headers, "X-Hmac-Signature")
    expected = DIGEST_PREFIX + hmac_sha256(key, raw_body).hex()
    if not matches(expected, legacy.lower()):
        raise InvalidSignature("X-Hmac-Signature does not match the body")


def _verify_v2(
    signature: str, headers: Mapping[str, str], raw_body: bytes, key: bytes, now: datetime
) -> None:
    timestamp = required_header(headers, "X-Timestamp")
    path = required_header(headers, "X-Path")
    check_freshness(_rfc2822(timestamp), now)
    message = timestamp.encode() + b"POST" + path.encode() + raw_body
    expected = hmac_sha256(key, message).hex()
    presented = signature.lower().removeprefix(DIGEST_PREFIX)
    if not matches(expected, presented):
        raise InvalidSignature("X-Hmac-Signature-V2 does not match the body")


def _rfc2822(value: str) -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise InvalidSignature("X-Timestamp header is malformed") from exc
    # "-0000" (EasyPost's example) parses as naive; RFC 2822 defines it as UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse(raw_body: bytes) -> ParsedBatch:
    data = read_json(raw_body)
    if validate(_Envelope, data, NAME).description not in TRACKER_EVENTS:
        return ParsedBatch()  # another EasyPost event (batch, refund, ...): nothing to track
    tracker = validate(_TrackerEvent, data, NAME).result
    parcel = Parcel(
        source=NAME,
        carrier=tracker.carrier,
        tracking_number=tracker.tracking_code,
        estimated_delivery=parse_day(tracker.est_delivery_date),
    )
    return build_batch(parcel, map(_checkpoint, tracker.tracking_details), TABLE)


def _checkpoint(detail: _Detail) -> Checkpoint:
    place = detail.tracking_location or _Location()
    return Checkpoint(
        status=detail.status,
        detail=detail.status_detail,
        # EasyPost gives the scan's local offset when it knows the place, else UTC ("Z").
        occurred_at=parse_instant(detail.occurred),
        location=join_location(place.city, place.state, place.country),
        description=detail.message,
    )
