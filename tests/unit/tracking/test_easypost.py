"""EasyPost tracker Events: legacy and v2 HMAC, tracking_details mapped per scan."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import InvalidInput, InvalidSignature
from chalicelib.domain.tracking import ParcelStatus, SkipReason, get_source
from chalicelib.domain.tracking.sources.easypost import DETAILS, STATUSES, TABLE
from tests.unit.tracking.senders import (
    NOW,
    SECRET,
    body_of,
    easypost_headers,
    easypost_v2_headers,
    fixture,
)

SOURCE = get_source("easypost")
EASTERN_WINTER = timezone(timedelta(hours=-5))
FIXTURE = "easypost_tracker_updated.json"

# From EasyPost's Tracker reference (status and status_detail enumerations).
DOCUMENTED_STATUSES = [
    "unknown", "pre_transit", "in_transit", "out_for_delivery", "delivered",
    "available_for_pickup", "return_to_sender", "failure", "cancelled", "error",
]  # fmt: skip
DOCUMENTED_DETAILS = [
    "address_correction", "arrived_at_destination", "arrived_at_facility",
    "arrived_at_pickup_location", "awaiting_information", "cancelled", "damaged", "delayed",
    "delivery_exception", "departed_facility", "departed_origin_facility", "expired", "failure",
    "held", "in_transit", "label_created", "lost", "missorted", "out_for_delivery",
    "received_at_destination_facility", "received_at_origin_facility", "refused", "return",
    "status_update", "transferred_to_destination_carrier", "transit_exception", "unknown",
    "weather_delay",
]  # fmt: skip


def test_a_signed_tracker_update_becomes_one_event_per_tracking_detail() -> None:
    body = body_of(fixture(FIXTURE))

    SOURCE.verify(easypost_headers(body), body, SECRET, NOW)
    batch = SOURCE.parse(body)

    assert [event.status for event in batch.events] == [
        ParcelStatus.INFO_RECEIVED,
        ParcelStatus.IN_TRANSIT,
        ParcelStatus.IN_TRANSIT,
        ParcelStatus.IN_TRANSIT,
        ParcelStatus.OUT_FOR_DELIVERY,
    ]
    arrived = batch.events[3]
    assert arrived.source == "easypost"
    assert arrived.carrier == "USPS"
    assert arrived.tracking_number == "9400111899223197428490"
    assert arrived.carrier_status == "in_transit/arrived_at_facility"
    assert arrived.occurred_at == datetime(2026, 12, 23, 6, 41, tzinfo=EASTERN_WINTER)
    assert arrived.occurred_at.utcoffset() == timedelta(hours=-5)
    assert arrived.location == "BOSTON, MA"
    assert arrived.description == "Arrived at Post Office"
    assert batch.skipped == ()


def test_the_estimate_is_the_calendar_day_given_and_rides_on_the_newest_scan() -> None:
    batch = SOURCE.parse(body_of(fixture(FIXTURE)))

    assert batch.events[-1].estimated_delivery == date(2026, 12, 23)
    assert {event.estimated_delivery for event in batch.events[:-1]} == {None}


def test_a_redelivered_event_yields_the_same_event_ids() -> None:
    payload = fixture(FIXTURE)
    first = SOURCE.parse(body_of(payload))
    payload["id"] = "evt_another_delivery_attempt"
    payload["result"]["tracking_details"].reverse()

    again = SOURCE.parse(body_of(payload))

    assert [event.event_id for event in again.events] == [e.event_id for e in first.events]
    assert len({event.event_id for event in first.events}) == 5


def test_scans_without_parcel_information_are_skipped_not_rejected() -> None:
    payload = fixture(FIXTURE)
    payload["result"]["tracking_details"][0].update(status="unknown", status_detail="unknown")
    payload["result"]["tracking_details"][1].update(status="teleported")
    payload["result"]["tracking_details"][2]["datetime"] = "2026-12-22T03:15:00"

    batch = SOURCE.parse(body_of(payload))

    assert len(batch.events) == 2
    assert [(item.carrier_status, item.reason) for item in batch.skipped] == [
        ("unknown", SkipReason.NO_PARCEL_INFORMATION),  # a detail repeating its status adds nothing
        ("teleported/received_at_origin_facility", SkipReason.UNKNOWN_STATUS),
        ("in_transit/departed_facility", SkipReason.NO_TIMESTAMP),
    ]


def test_events_other_than_tracker_updates_carry_nothing_to_track() -> None:
    payload = {"object": "Event", "description": "batch.updated", "result": {"object": "Batch"}}

    batch = SOURCE.parse(body_of(payload))

    assert batch.events == () and batch.skipped == ()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"events": []}, ["object"]),
        ({"object": "Event", "description": "tracker.updated", "result": {"object": "Batch"}},
         ["result", "object"]),
        ({"object": "Event", "description": "tracker.updated",
          "result": {"object": "Tracker", "carrier": "USPS"}}, ["result", "tracking_code"]),
    ],
    ids=["generic-body", "not-a-tracker", "no-tracking-code"],
)  # fmt: skip
def test_a_body_that_is_not_an_easypost_tracker_event_is_invalid_input(
    payload: dict[str, object], loc: list[object]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        SOURCE.parse(body_of(payload))

    assert loc in [error["loc"] for error in caught.value.errors]


def test_the_legacy_signature_uses_the_nfkd_normalised_secret() -> None:
    body = body_of(fixture(FIXTURE))
    signed_with_normalised = easypost_headers(body, secret="ﬁnance-secret")  # "ﬁ" ligature

    SOURCE.verify(signed_with_normalised, body, "ﬁnance-secret", NOW)
    SOURCE.verify(easypost_headers(body, secret="finance-secret"), body, "ﬁnance-secret", NOW)


def test_a_wrong_or_missing_legacy_signature_is_rejected() -> None:
    body = body_of(fixture(FIXTURE))

    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify(easypost_headers(body, secret="other"), body, SECRET, NOW)
    with pytest.raises(InvalidSignature, match="missing"):
        SOURCE.verify({}, body, SECRET, NOW)
    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify({"X-Hmac-Signature": "sha256=abc"}, body, SECRET, NOW)


def test_the_v2_signature_covers_timestamp_method_path_and_body() -> None:
    body = body_of(fixture(FIXTURE))
    headers = {k.lower(): v for k, v in easypost_v2_headers(body).items()}

    SOURCE.verify(headers, body, SECRET, NOW)
    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify({**headers, "x-path": "/elsewhere"}, body, SECRET, NOW)


def test_a_v2_signature_wins_over_a_valid_legacy_one() -> None:
    body = body_of(fixture(FIXTURE))
    forged_v2 = easypost_v2_headers(body, secret="other")

    with pytest.raises(InvalidSignature, match="V2 does not match"):
        SOURCE.verify({**easypost_headers(body), **forged_v2}, body, SECRET, NOW)


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_stale_v2_timestamp_is_rejected(skew: timedelta) -> None:
    body = body_of(fixture(FIXTURE))

    with pytest.raises(InvalidSignature, match="window"):
        SOURCE.verify(easypost_v2_headers(body, at=NOW + skew), body, SECRET, NOW)


@pytest.mark.parametrize("missing", ["X-Timestamp", "X-Path"])
def test_v2_without_its_companion_headers_is_rejected(missing: str) -> None:
    body = body_of(fixture(FIXTURE))
    headers = easypost_v2_headers(body)
    del headers[missing]

    with pytest.raises(InvalidSignature, match="missing"):
        SOURCE.verify(headers, body, SECRET, NOW)


def test_a_malformed_v2_timestamp_is_rejected() -> None:
    body = body_of(fixture(FIXTURE))
    headers = {**easypost_v2_headers(body), "X-Timestamp": "yesterday"}

    with pytest.raises(InvalidSignature, match="malformed"):
        SOURCE.verify(headers, body, SECRET, NOW)


def test_the_tables_cover_exactly_the_documented_codes() -> None:
    assert sorted(STATUSES) == sorted(DOCUMENTED_STATUSES)
    assert sorted(DETAILS) == sorted(DOCUMENTED_DETAILS)


@pytest.mark.parametrize("status", DOCUMENTED_STATUSES)
@pytest.mark.parametrize("detail", [None, *DOCUMENTED_DETAILS])
def test_every_documented_pair_maps_or_is_explicitly_skipped(
    status: str, detail: str | None
) -> None:
    outcome = TABLE.resolve(status, detail)

    assert isinstance(outcome, ParcelStatus) or outcome is SkipReason.NO_PARCEL_INFORMATION


@pytest.mark.parametrize(
    ("status", "detail", "expected"),
    [
        ("unknown", None, SkipReason.NO_PARCEL_INFORMATION),
        ("error", None, SkipReason.NO_PARCEL_INFORMATION),
        ("pre_transit", "label_created", ParcelStatus.INFO_RECEIVED),
        ("pre_transit", "received_at_origin_facility", ParcelStatus.IN_TRANSIT),
        ("in_transit", "weather_delay", ParcelStatus.EXCEPTION),
        ("in_transit", "status_update", ParcelStatus.IN_TRANSIT),
        ("in_transit", "return", ParcelStatus.RETURNED_TO_SENDER),
        ("failure", "delivery_exception", ParcelStatus.FAILED_ATTEMPT),
        ("available_for_pickup", "arrived_at_pickup_location", ParcelStatus.AVAILABLE_FOR_PICKUP),
        ("delivered", "arrived_at_destination", ParcelStatus.DELIVERED),
        ("return_to_sender", "in_transit", ParcelStatus.RETURNED_TO_SENDER),
        ("cancelled", "cancelled", ParcelStatus.EXCEPTION),
        ("in_transit", "a_code_added_next_year", ParcelStatus.IN_TRANSIT),
    ],
)
def test_notable_mappings(status: str, detail: str | None, expected: object) -> None:
    assert TABLE.resolve(status, detail) == expected
