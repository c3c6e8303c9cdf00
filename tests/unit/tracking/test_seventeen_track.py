"""17TRACK TRACKING_UPDATED: SHA-256 of body and key, events mapped by their sub-status."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import InvalidInput, InvalidSignature
from chalicelib.domain.tracking import ParcelStatus, SkipReason, get_source
from chalicelib.domain.tracking.sources.seventeen_track import DETAILS, STATUSES, TABLE
from tests.unit.tracking.senders import NOW, SECRET, body_of, fixture, seventeen_track_headers

SOURCE = get_source("17track")
BERLIN_WINTER = timezone(timedelta(hours=1))
FIXTURE = "17track_tracking_updated.json"

# From 17TRACK API v2.2/v2.4 "Main status" and "Sub status" lists.
DOCUMENTED_STATUSES = [
    "NotFound", "InfoReceived", "InTransit", "Expired", "AvailableForPickup", "OutForDelivery",
    "DeliveryFailure", "Delivered", "Exception",
]  # fmt: skip
DOCUMENTED_SUB_STATUSES = [
    "NotFound_Other", "NotFound_InvalidCode", "InfoReceived",
    "InTransit_PickedUp", "InTransit_Other", "InTransit_Departure", "InTransit_Arrival",
    "InTransit_CustomsProcessing", "InTransit_CustomsReleased",
    "InTransit_CustomsRequiringInformation",
    "Expired_Other", "AvailableForPickup_Other", "OutForDelivery_Other",
    "DeliveryFailure_Other", "DeliveryFailure_NoBody", "DeliveryFailure_Security",
    "DeliveryFailure_Rejected", "DeliveryFailure_InvalidAddress",
    "Delivered_Other",
    "Exception_Other", "Exception_Returning", "Exception_Returned", "Exception_NoBody",
    "Exception_Security", "Exception_Damage", "Exception_Rejected", "Exception_Delayed",
    "Exception_Lost", "Exception_Destroyed", "Exception_Cancel",
]  # fmt: skip


def test_a_signed_update_becomes_one_event_per_provider_event() -> None:
    body = body_of(fixture(FIXTURE))

    SOURCE.verify(seventeen_track_headers(body), body, SECRET, NOW)
    batch = SOURCE.parse(body)

    # Events arrive newest first and latest_event repeats the newest: ordered, counted once.
    assert [event.status for event in batch.events] == [
        ParcelStatus.INFO_RECEIVED,
        ParcelStatus.IN_TRANSIT,
        ParcelStatus.IN_TRANSIT,
        ParcelStatus.OUT_FOR_DELIVERY,
        ParcelStatus.FAILED_ATTEMPT,
    ]
    attempt = batch.events[-1]
    assert attempt.source == "17track"
    assert attempt.carrier == "7041"
    assert attempt.tracking_number == "00340434161094042557"
    assert attempt.carrier_status == "DeliveryFailure/DeliveryFailure_NoBody"
    assert attempt.occurred_at == datetime(2026, 12, 24, 10, 17, tzinfo=BERLIN_WINTER)
    assert attempt.occurred_at.utcoffset() == timedelta(hours=1)
    assert attempt.location == "Berlin"
    assert attempt.estimated_delivery == date(2026, 12, 27)  # the end of the carrier's window
    assert batch.events[0].carrier_status == "InfoReceived"
    assert batch.events[0].location == "DE"


def test_an_event_without_an_offset_falls_back_to_its_utc_time() -> None:
    payload = fixture(FIXTURE)
    event = payload["data"]["track_info"]["tracking"]["providers"][0]["events"][2]
    event["time_iso"] = "2026-12-23T21:04:00"

    arrival = SOURCE.parse(body_of(payload)).events[2]

    assert arrival.occurred_at == datetime(2026, 12, 23, 21, 4, tzinfo=BERLIN_WINTER)


def test_returning_to_sender_maps_to_returned() -> None:
    payload = fixture(FIXTURE)
    payload["data"]["track_info"]["latest_event"]["sub_status"] = "Exception_Returning"

    batch = SOURCE.parse(body_of(payload))

    assert batch.events[-1].status is ParcelStatus.RETURNED_TO_SENDER
    assert batch.events[-1].carrier_status == "Exception/Exception_Returning"


def test_not_found_and_unknown_sub_statuses_are_skipped_and_reported() -> None:
    payload = fixture(FIXTURE)
    events = payload["data"]["track_info"]["tracking"]["providers"][0]["events"]
    events[4]["sub_status"] = "NotFound_Other"
    events[3]["sub_status"] = None

    batch = SOURCE.parse(body_of(payload))

    assert [(item.carrier_status, item.reason) for item in batch.skipped] == [
        (None, SkipReason.UNKNOWN_STATUS),
        ("NotFound/NotFound_Other", SkipReason.NO_PARCEL_INFORMATION),
    ]
    assert len(batch.events) == 3


def test_a_stopped_tracking_carries_nothing_to_track() -> None:
    payload = {"event": "TRACKING_STOPPED", "data": {"number": "1", "carrier": 7041}}

    batch = SOURCE.parse(body_of(payload))

    assert batch.events == () and batch.skipped == ()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"events": []}, ["event"]),
        ({"event": "TRACKING_UPDATED", "data": {"carrier": 7041}}, ["data", "number"]),
        ({"event": "TRACKING_UPDATED", "data": [{"number": "1"}]}, ["data"]),
    ],
    ids=["generic-body", "no-number", "v1-style-list"],
)
def test_a_body_that_is_not_a_17track_update_is_invalid_input(
    payload: dict[str, object], loc: list[object]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        SOURCE.parse(body_of(payload))

    assert loc in [error["loc"] for error in caught.value.errors]


def test_a_wrong_or_missing_signature_is_rejected() -> None:
    body = body_of(fixture(FIXTURE))

    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify(seventeen_track_headers(body, secret="other"), body, SECRET, NOW)
    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify(seventeen_track_headers(body), body.replace(b"7041", b"7042"), SECRET, NOW)
    with pytest.raises(InvalidSignature, match="missing"):
        SOURCE.verify({}, body, SECRET, NOW)


def test_an_upper_case_hex_signature_is_accepted() -> None:
    body = body_of(fixture(FIXTURE))

    SOURCE.verify({"Sign": seventeen_track_headers(body)["sign"].upper()}, body, SECRET, NOW)


def test_the_tables_cover_exactly_the_documented_codes() -> None:
    assert sorted(STATUSES) == sorted(DOCUMENTED_STATUSES)
    assert sorted(DETAILS) == sorted(DOCUMENTED_SUB_STATUSES)


@pytest.mark.parametrize("sub_status", DOCUMENTED_SUB_STATUSES)
def test_every_documented_sub_status_maps_or_is_explicitly_skipped(sub_status: str) -> None:
    outcome = TABLE.resolve(sub_status.partition("_")[0], sub_status)

    assert isinstance(outcome, ParcelStatus) or outcome is SkipReason.NO_PARCEL_INFORMATION


@pytest.mark.parametrize(
    ("sub_status", "expected"),
    [
        ("NotFound_InvalidCode", SkipReason.NO_PARCEL_INFORMATION),
        ("InfoReceived", ParcelStatus.INFO_RECEIVED),
        ("InTransit_PickedUp", ParcelStatus.IN_TRANSIT),
        ("InTransit_CustomsRequiringInformation", ParcelStatus.EXCEPTION),
        ("Expired_Other", ParcelStatus.EXCEPTION),
        ("AvailableForPickup_Other", ParcelStatus.AVAILABLE_FOR_PICKUP),
        ("DeliveryFailure_InvalidAddress", ParcelStatus.FAILED_ATTEMPT),
        ("Delivered_Other", ParcelStatus.DELIVERED),
        ("Exception_Returned", ParcelStatus.RETURNED_TO_SENDER),
        ("Exception_Lost", ParcelStatus.EXCEPTION),
    ],
)
def test_notable_mappings(sub_status: str, expected: object) -> None:
    assert TABLE.resolve(sub_status.partition("_")[0], sub_status) == expected
