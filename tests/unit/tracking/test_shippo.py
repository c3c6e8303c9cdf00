"""Shippo track_updated: timestamped HMAC, history mapped by status and substatus code."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.errors import InvalidInput, InvalidSignature
from chalicelib.domain.tracking import ParcelStatus, SkipReason, get_source
from chalicelib.domain.tracking.sources.shippo import DETAILS, STATUSES, TABLE
from tests.unit.tracking.senders import NOW, SECRET, body_of, fixture, shippo_headers

SOURCE = get_source("shippo")
FIXTURE = "shippo_track_updated.json"

# From Shippo's tracking status and substatus reference.
DOCUMENTED_STATUSES = ["PRE_TRANSIT", "TRANSIT", "DELIVERED", "RETURNED", "FAILURE", "UNKNOWN"]
DOCUMENTED_SUBSTATUSES = [
    "information_received", "address_issue", "contact_carrier", "delayed", "delivery_attempted",
    "delivery_rescheduled", "delivery_scheduled", "location_inaccessible", "notice_left",
    "out_for_delivery", "package_accepted", "package_arrived", "package_damaged",
    "package_departed", "package_forwarded", "package_held", "package_processed",
    "package_processing", "pickup_available", "reschedule_delivery", "delivered",
    "return_to_sender", "package_unclaimed", "package_undeliverable", "package_disposed",
    "package_lost", "other",
]  # fmt: skip


def test_a_signed_track_update_becomes_one_event_per_history_entry() -> None:
    body = body_of(fixture(FIXTURE))

    SOURCE.verify(shippo_headers(body), body, SECRET, NOW)
    batch = SOURCE.parse(body)

    # tracking_status repeats the newest history entry: counted once.
    assert [event.status for event in batch.events] == [
        ParcelStatus.INFO_RECEIVED,
        ParcelStatus.IN_TRANSIT,
        ParcelStatus.OUT_FOR_DELIVERY,
        ParcelStatus.FAILED_ATTEMPT,
    ]
    attempt = batch.events[-1]
    assert attempt.source == "shippo"
    assert attempt.carrier == "usps"
    assert attempt.tracking_number == "9205590164917312751089"
    assert attempt.carrier_status == "TRANSIT/delivery_attempted"
    assert attempt.occurred_at == datetime(2026, 12, 23, 17, 23, tzinfo=UTC)
    assert attempt.occurred_at.utcoffset() == timedelta(0)
    assert attempt.location == "Spotsylvania, VA, US"
    assert attempt.estimated_delivery == date(2026, 12, 24)
    assert batch.events[0].location is None
    assert batch.events[0].estimated_delivery is None


def test_a_returned_status_stays_returned_whatever_its_substatus() -> None:
    payload = fixture(FIXTURE)
    payload["data"]["tracking_status"].update(
        status="RETURNED",
        status_date="2026-12-28T15:00:00Z",
        substatus={"code": "package_unclaimed", "text": "", "action_required": False},
    )

    latest = SOURCE.parse(body_of(payload)).events[-1]

    assert latest.status is ParcelStatus.RETURNED_TO_SENDER
    assert latest.carrier_status == "RETURNED/package_unclaimed"


def test_unknown_statuses_are_skipped_and_reported() -> None:
    payload = fixture(FIXTURE)
    payload["data"]["tracking_history"][0].update(status="UNKNOWN", substatus=None)

    batch = SOURCE.parse(body_of(payload))

    assert [(item.carrier_status, item.reason) for item in batch.skipped] == [
        ("UNKNOWN", SkipReason.NO_PARCEL_INFORMATION)
    ]
    assert len(batch.events) == 3


def test_other_webhook_events_carry_nothing_to_track() -> None:
    batch = SOURCE.parse(body_of({"event": "transaction_created", "test": False, "data": {}}))

    assert batch.events == () and batch.skipped == ()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"events": []}, ["event"]),
        ({"event": "track_updated", "data": {"carrier": "usps"}}, ["data", "tracking_number"]),
        ({"event": "track_updated", "data": {"carrier": "usps", "tracking_number": "1",
          "tracking_history": [{"status_date": "2026-12-23T17:23:00Z"}]}},
         ["data", "tracking_history", 0, "status"]),
    ],
    ids=["generic-body", "no-tracking-number", "history-without-status"],
)  # fmt: skip
def test_a_body_that_is_not_a_shippo_track_update_is_invalid_input(
    payload: dict[str, object], loc: list[object]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        SOURCE.parse(body_of(payload))

    assert loc in [error["loc"] for error in caught.value.errors]


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_stale_timestamp_is_rejected(skew: timedelta) -> None:
    body = body_of(fixture(FIXTURE))

    with pytest.raises(InvalidSignature, match="window"):
        SOURCE.verify(shippo_headers(body, at=NOW + skew), body, SECRET, NOW)


def test_a_wrong_or_missing_signature_is_rejected() -> None:
    body = body_of(fixture(FIXTURE))
    signed = shippo_headers(body)

    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify(shippo_headers(body, secret="other"), body, SECRET, NOW)
    with pytest.raises(InvalidSignature, match="missing"):
        SOURCE.verify({}, body, SECRET, NOW)
    # The documented header is Shippo-Auth-Signature; a look-alike name is not accepted.
    with pytest.raises(InvalidSignature, match="missing"):
        SOURCE.verify({"X-Shippo-Signature": signed["Shippo-Auth-Signature"]}, body, SECRET, NOW)
    with pytest.raises(InvalidSignature, match="malformed"):
        SOURCE.verify({"shippo-auth-signature": "v1=abc"}, body, SECRET, NOW)


def test_the_tables_cover_exactly_the_documented_codes() -> None:
    assert sorted(STATUSES) == sorted(DOCUMENTED_STATUSES)
    assert sorted(DETAILS) == sorted(DOCUMENTED_SUBSTATUSES)


@pytest.mark.parametrize("status", DOCUMENTED_STATUSES)
@pytest.mark.parametrize("substatus", [None, *DOCUMENTED_SUBSTATUSES])
def test_every_documented_pair_maps_or_is_explicitly_skipped(
    status: str, substatus: str | None
) -> None:
    outcome = TABLE.resolve(status, substatus)

    assert isinstance(outcome, ParcelStatus) or outcome is SkipReason.NO_PARCEL_INFORMATION


@pytest.mark.parametrize(
    ("status", "substatus", "expected"),
    [
        ("UNKNOWN", "other", SkipReason.NO_PARCEL_INFORMATION),
        ("PRE_TRANSIT", "information_received", ParcelStatus.INFO_RECEIVED),
        ("TRANSIT", "package_departed", ParcelStatus.IN_TRANSIT),
        ("TRANSIT", "delivery_rescheduled", ParcelStatus.IN_TRANSIT),
        ("TRANSIT", "out_for_delivery", ParcelStatus.OUT_FOR_DELIVERY),
        ("TRANSIT", "pickup_available", ParcelStatus.AVAILABLE_FOR_PICKUP),
        ("TRANSIT", "notice_left", ParcelStatus.FAILED_ATTEMPT),
        ("TRANSIT", "package_held", ParcelStatus.EXCEPTION),
        ("TRANSIT", "return_to_sender", ParcelStatus.RETURNED_TO_SENDER),
        ("FAILURE", "package_lost", ParcelStatus.EXCEPTION),
        ("FAILURE", "other", ParcelStatus.EXCEPTION),
        ("DELIVERED", "delivered", ParcelStatus.DELIVERED),
        ("RETURNED", "return_to_sender", ParcelStatus.RETURNED_TO_SENDER),
    ],
)
def test_notable_mappings(status: str, substatus: str | None, expected: object) -> None:
    assert TABLE.resolve(status, substatus) == expected
