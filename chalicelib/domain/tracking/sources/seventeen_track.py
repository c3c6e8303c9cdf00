"""17TRACK API (v2.2 and later) ``TRACKING_UPDATED`` webhooks.

Signature: header ``sign`` is the hex SHA-256 of ``<raw body>/<security key>`` (17TRACK's
webhook notification docs; a plain hash, not an HMAC, and without a timestamp, so there is no
replay window: a replay re-delivers the same events, recognised as duplicates).

Payload: ``{"event": "TRACKING_UPDATED", "data": {"number", "carrier", "track_info": {...}}}``;
one event per entry of ``track_info.tracking.providers[].events`` (and ``latest_event``), each of
which carries its own ``sub_status``; the main status is the sub-status's prefix, and
``carrier_status`` is ``<status>/<sub_status>``. ``TRACKING_STOPPED`` carries no scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Annotated

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
from chalicelib.domain.tracking.signatures import matches, required_header
from chalicelib.domain.tracking.status import ParcelStatus, StatusMap

NAME = "17track"
SIGNATURE_HEADER = "sign"
TRACKING_EVENTS = frozenset({"TRACKING_UPDATED"})

S = ParcelStatus
STATUSES: dict[str, ParcelStatus | None] = {
    # 17TRACK found nothing (yet) at the carrier.
    "NotFound": None,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit": S.IN_TRANSIT,
    # Unlike AfterShip's Expired, this is a parcel seen in transit and stuck there too long.
    "Expired": S.EXCEPTION,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "DeliveryFailure": S.FAILED_ATTEMPT,
    "Delivered": S.DELIVERED,
    "Exception": S.EXCEPTION,
}
DETAILS: dict[str, ParcelStatus | None] = {
    "NotFound_Other": None,
    "NotFound_InvalidCode": None,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit_PickedUp": S.IN_TRANSIT,
    "InTransit_Departure": S.IN_TRANSIT,
    "InTransit_Arrival": S.IN_TRANSIT,
    "InTransit_CustomsProcessing": S.IN_TRANSIT,
    "InTransit_CustomsReleased": S.IN_TRANSIT,
    # Customs holds the parcel until someone supplies documents: a problem, not progress.
    "InTransit_CustomsRequiringInformation": S.EXCEPTION,
    "InTransit_Other": S.IN_TRANSIT,
    "Expired_Other": S.EXCEPTION,
    "AvailableForPickup_Other": S.AVAILABLE_FOR_PICKUP,
    "OutForDelivery_Other": S.OUT_FOR_DELIVERY,
    "DeliveryFailure_Other": S.FAILED_ATTEMPT,
    "DeliveryFailure_NoBody": S.FAILED_ATTEMPT,
    "DeliveryFailure_Security": S.FAILED_ATTEMPT,
    "DeliveryFailure_Rejected": S.FAILED_ATTEMPT,
    "DeliveryFailure_InvalidAddress": S.FAILED_ATTEMPT,
    "Delivered_Other": S.DELIVERED,
    "Exception_Other": S.EXCEPTION,
    "Exception_Returning": S.RETURNED_TO_SENDER,
    "Exception_Returned": S.RETURNED_TO_SENDER,
    "Exception_NoBody": S.EXCEPTION,
    "Exception_Security": S.EXCEPTION,
    "Exception_Damage": S.EXCEPTION,
    "Exception_Rejected": S.EXCEPTION,
    "Exception_Delayed": S.EXCEPTION,
    "Exception_Lost": S.EXCEPTION,
    "Exception_Destroyed": S.EXCEPTION,
    "Exception_Cancel": S.EXCEPTION,
}
TABLE = StatusMap(STATUSES, DETAILS)


class _Address(BaseModel):
    city: str | None = None
    state: str | None = None
    country: str | None = None


class _Event(BaseModel):
    time_iso: str | None = None
    time_utc: str | None = None
    description: str | None = None
    location: str | None = None
    sub_status: str | None = None
    address: _Address | None = None


class _Provider(BaseModel):
    events: list[_Event] = Field(default_factory=list)


class _Tracking(BaseModel):
    providers: list[_Provider] = Field(default_factory=list)


class _Window(BaseModel):
    start: str | None = Field(default=None, alias="from")
    end: str | None = Field(default=None, alias="to")


class _Metrics(BaseModel):
    estimated_delivery_date: _Window | None = None


class _TrackInfo(BaseModel):
    latest_event: _Event | None = None
    tracking: _Tracking | None = None
    time_metrics: _Metrics | None = None


class _Data(BaseModel):
    number: str = Field(min_length=1, max_length=MAX_TRACKING_NUMBER)
    # 17TRACK's carrier number (a string in some payloads): bounded like any carrier name.
    carrier: (
        Annotated[int, Field(ge=0, le=999_999_999)] | Annotated[str, Field(max_length=MAX_CARRIER)]
    )
    track_info: _TrackInfo = Field(default_factory=_TrackInfo)


class _Envelope(BaseModel):
    event: str


class _TrackingUpdated(_Envelope):
    data: _Data


def verify(headers: Mapping[str, str], raw_body: bytes, secret: str, now: datetime) -> None:
    presented = required_header(headers, SIGNATURE_HEADER)
    expected = hashlib.sha256(raw_body + b"/" + secret.encode()).hexdigest()
    if not matches(expected, presented.lower()):
        raise InvalidSignature(f"{SIGNATURE_HEADER} does not match the body")


def parse(raw_body: bytes) -> ParsedBatch:
    data = read_json(raw_body)
    if validate(_Envelope, data, NAME).event not in TRACKING_EVENTS:
        return ParsedBatch()
    tracked = validate(_TrackingUpdated, data, NAME).data
    parcel = Parcel(
        source=NAME,
        carrier=str(tracked.carrier),
        tracking_number=tracked.number,
        estimated_delivery=_estimate(tracked.track_info),
    )
    return build_batch(parcel, map(_checkpoint, _events(tracked.track_info)), TABLE)


def _events(info: _TrackInfo) -> Iterator[_Event]:
    for provider in info.tracking.providers if info.tracking else []:
        yield from provider.events
    if info.latest_event is not None:
        yield info.latest_event


def _estimate(info: _TrackInfo) -> date | None:
    window = info.time_metrics.estimated_delivery_date if info.time_metrics else None
    if window is None:
        return None
    # The end of the carrier's window: promising its first day would announce a false delay.
    return parse_day(window.end) or parse_day(window.start)


def _checkpoint(event: _Event) -> Checkpoint:
    sub_status = event.sub_status or ""
    place = event.address or _Address()
    return Checkpoint(
        # "InTransit_PickedUp" belongs to "InTransit"; "InfoReceived" is its own main status.
        status=sub_status.partition("_")[0],
        detail=sub_status or None,
        occurred_at=parse_instant(event.time_iso) or parse_instant(event.time_utc),
        location=event.location or join_location(place.city, place.state, place.country),
        description=event.description,
    )
