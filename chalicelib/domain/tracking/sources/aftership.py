"""AfterShip Tracking ``tracking_update`` webhooks.

Signature (aftership.com/docs/tracking "Webhook Signature"): header ``aftership-hmac-sha256`` is
the base64 HMAC-SHA256 of the raw body keyed with the account's webhook secret. AfterShip signs
no timestamp, so there is no replay window; a replay re-delivers the same checkpoints, which are
recognised as duplicates.

Payload: ``{"event": "tracking_update", "msg": <Tracking>, "ts": ...}``; one event per entry of
``msg.checkpoints``, whose ``carrier_status`` is ``<tag>/<subtag>``. Tags and subtags follow
"Delivery Statuses" and "Delivery Sub-statuses" (including the March 2026 additions).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date, datetime

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
from chalicelib.domain.tracking.signatures import hmac_sha256, matches, required_header
from chalicelib.domain.tracking.status import ParcelStatus, StatusMap

NAME = "aftership"
SIGNATURE_HEADER = "aftership-hmac-sha256"
TRACKING_EVENTS = frozenset({"tracking_update"})

S = ParcelStatus
STATUSES: dict[str, ParcelStatus | None] = {
    # AfterShip has not fetched anything from the carrier yet.
    "Pending": None,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit": S.IN_TRANSIT,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "AttemptFail": S.FAILED_ATTEMPT,
    "Delivered": S.DELIVERED,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "Exception": S.EXCEPTION,
    # AfterShip's own timeout ("no tracking information for 30 days"), not a carrier scan.
    "Expired": None,
}


def _series(
    prefix: str, numbers: range, status: ParcelStatus | None
) -> dict[str, ParcelStatus | None]:
    return {f"{prefix}_{number:03d}": status for number in numbers}


DETAILS: dict[str, ParcelStatus | None] = {
    **_series("Pending", range(1, 7), None),
    **_series("InfoReceived", range(1, 2), S.INFO_RECEIVED),
    **_series("InTransit", range(1, 10), S.IN_TRANSIT),
    "OutForDelivery_001": S.OUT_FOR_DELIVERY,
    # Retired "available for pickup" subtag of OutForDelivery; older trackings may carry it.
    "OutForDelivery_002": S.AVAILABLE_FOR_PICKUP,
    "OutForDelivery_003": S.OUT_FOR_DELIVERY,
    "OutForDelivery_004": S.OUT_FOR_DELIVERY,
    **_series("AttemptFail", range(1, 4), S.FAILED_ATTEMPT),
    **_series("Delivered", range(1, 6), S.DELIVERED),
    **_series("AvailableForPickup", range(1, 2), S.AVAILABLE_FOR_PICKUP),
    **_series("Exception", range(1, 10), S.EXCEPTION),
    # Returning to sender (010) and returned to sender (011): either way, not for the customer.
    **_series("Exception", range(10, 12), S.RETURNED_TO_SENDER),
    **_series("Exception", range(12, 14), S.EXCEPTION),
    **_series("Exception", range(16, 22), S.EXCEPTION),
    **_series("Expired", range(1, 2), None),
}
TABLE = StatusMap(STATUSES, DETAILS)


class _Checkpoint(BaseModel):
    tag: str
    subtag: str | None = None
    checkpoint_time: str | None = None
    created_at: str | None = None
    message: str | None = None
    location: str | None = None
    city: str | None = None
    state: str | None = None
    country_name: str | None = None


class _Estimate(BaseModel):
    estimated_delivery_date: str | None = None
    moment: str | None = Field(default=None, alias="datetime")


class _Tracking(BaseModel):
    tracking_number: str = Field(min_length=1, max_length=MAX_TRACKING_NUMBER)
    slug: str = Field(min_length=1, max_length=MAX_CARRIER)
    expected_delivery: str | None = None
    courier_estimated_delivery_date: _Estimate | None = None
    latest_estimated_delivery: _Estimate | None = None
    aftership_estimated_delivery_date: _Estimate | None = None
    checkpoints: list[_Checkpoint] = Field(default_factory=list)


class _Envelope(BaseModel):
    event: str


class _TrackingUpdate(_Envelope):
    msg: _Tracking


def verify(headers: Mapping[str, str], raw_body: bytes, secret: str, now: datetime) -> None:
    presented = required_header(headers, SIGNATURE_HEADER)
    expected = base64.b64encode(hmac_sha256(secret.encode(), raw_body)).decode()
    if not matches(expected, presented):
        raise InvalidSignature(f"{SIGNATURE_HEADER} does not match the body")


def parse(raw_body: bytes) -> ParsedBatch:
    data = read_json(raw_body)
    if validate(_Envelope, data, NAME).event not in TRACKING_EVENTS:
        return ParsedBatch()
    tracking = validate(_TrackingUpdate, data, NAME).msg
    parcel = Parcel(
        source=NAME,
        carrier=tracking.slug,
        tracking_number=tracking.tracking_number,
        estimated_delivery=_estimate(tracking),
    )
    return build_batch(parcel, map(_checkpoint, tracking.checkpoints), TABLE)


def _estimate(tracking: _Tracking) -> date | None:
    # The carrier's own estimate first, AfterShip's prediction last.
    candidates = [tracking.expected_delivery]
    for estimate in (
        tracking.courier_estimated_delivery_date,
        tracking.latest_estimated_delivery,
        tracking.aftership_estimated_delivery_date,
    ):
        if estimate is not None:
            candidates += [estimate.estimated_delivery_date, estimate.moment]
    return next((day for day in map(parse_day, candidates) if day is not None), None)


def _checkpoint(checkpoint: _Checkpoint) -> Checkpoint:
    return Checkpoint(
        status=checkpoint.tag,
        detail=checkpoint.subtag,
        # checkpoint_time is the carrier's local time and sometimes lacks an offset; then the
        # instant AfterShip recorded the checkpoint is the best fact available.
        occurred_at=parse_instant(checkpoint.checkpoint_time)
        or parse_instant(checkpoint.created_at),
        location=checkpoint.location
        or join_location(checkpoint.city, checkpoint.state, checkpoint.country_name),
        description=checkpoint.message,
    )
