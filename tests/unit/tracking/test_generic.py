"""Our own format: X-Signature with a 5-minute window, canonical statuses, pydantic schema."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import InvalidInput, InvalidSignature, MalformedJson
from chalicelib.domain.tracking import ParcelStatus, get_source
from tests.unit.tracking.senders import NOW, SECRET, body_of, fixture, generic_headers

SOURCE = get_source("generic")
BERLIN_WINTER = timezone(timedelta(hours=1))


def test_a_signed_batch_verifies_and_parses_into_canonical_events() -> None:
    body = body_of(fixture("generic.json"))

    SOURCE.verify(generic_headers(body), body, SECRET, NOW)
    batch = SOURCE.parse(body)

    first, second = batch.events
    assert first.event_id == "evt-1"
    assert first.source == "generic"
    assert first.carrier == "dhl"
    assert first.tracking_number == "00340434161094042557"
    assert first.status is ParcelStatus.IN_TRANSIT
    assert first.occurred_at == datetime(2026, 12, 23, 21, 4, tzinfo=BERLIN_WINTER)
    assert first.occurred_at.utcoffset() == timedelta(hours=1)
    assert first.carrier_status == "PZ-EIN"
    assert first.location == "Leipzig"
    assert first.description == "Sendung im Zielpaketzentrum"
    assert first.estimated_delivery == date(2026, 12, 24)
    assert second.status is ParcelStatus.OUT_FOR_DELIVERY
    assert batch.skipped == ()


@pytest.mark.parametrize("skew", [timedelta(minutes=-5), timedelta(0), timedelta(minutes=5)])
def test_a_timestamp_within_five_minutes_either_way_is_accepted(skew: timedelta) -> None:
    body = body_of(fixture("generic.json"))

    SOURCE.verify(generic_headers(body, at=NOW + skew), body, SECRET, NOW)


@pytest.mark.parametrize(
    "skew", [timedelta(minutes=-5, seconds=-1), timedelta(minutes=5, seconds=1)]
)
def test_a_timestamp_more_than_five_minutes_off_is_rejected(skew: timedelta) -> None:
    body = body_of(fixture("generic.json"))

    with pytest.raises(InvalidSignature, match="window"):
        SOURCE.verify(generic_headers(body, at=NOW + skew), body, SECRET, NOW)


def test_headers_are_found_whatever_their_case() -> None:
    body = body_of(fixture("generic.json"))
    headers = {"x-signature": generic_headers(body)["X-Signature"]}

    SOURCE.verify(headers, body, SECRET, NOW)


def test_a_second_v1_signature_during_secret_rotation_is_accepted() -> None:
    body = body_of(fixture("generic.json"))
    timestamp, current = generic_headers(body)["X-Signature"].split(",")
    _, old = generic_headers(body, secret="old-secret")["X-Signature"].split(",")

    SOURCE.verify({"X-Signature": f"{timestamp},{old},{current}"}, body, SECRET, NOW)
    with pytest.raises(InvalidSignature):
        SOURCE.verify({"X-Signature": f"{timestamp},{old}"}, body, SECRET, NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Signature": ""},
        {"X-Signature": "v1=abc"},
        {"X-Signature": "t=now,v1=abc"},
        {"X-Signature": "t=99999999999999999999999,v1=abc"},
        {"X-Signature": "t=1798104600"},
        {"X-Signature": "t=1798104600,t=1798104600,v1=abc"},
    ],
    ids=["missing", "empty", "no-t", "t-not-a-number", "t-out-of-range", "no-v1", "two-t"],
)
def test_a_missing_or_malformed_header_is_an_invalid_signature(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidSignature):
        SOURCE.verify(headers, b"{}", SECRET, NOW)


def test_a_tampered_body_or_wrong_secret_is_rejected() -> None:
    body = body_of(fixture("generic.json"))
    headers = generic_headers(body)

    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify(headers, body.replace(b"in_transit", b"delivered"), SECRET, NOW)
    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify(headers, body, "another-secret", NOW)


def test_an_unknown_field_is_rejected_with_its_location() -> None:
    payload = fixture("generic.json")
    payload["events"][0]["driver_phone"] = "+49 30 1234567"

    with pytest.raises(InvalidInput) as caught:
        SOURCE.parse(body_of(payload))

    assert {"loc": ["events", 0, "driver_phone"], "msg": "Extra inputs are not permitted"} in (
        caught.value.errors
    )
    assert "+49" not in str(caught.value.errors)  # the input is never echoed


@pytest.mark.parametrize(
    ("field", "value", "loc"),
    [
        ("status", "label_created", ["events", 0, "status"]),
        ("occurred_at", "2026-12-23T21:04:00", ["events", 0, "occurred_at"]),
        ("tracking_number", "", ["events", 0, "tracking_number"]),
        ("estimated_delivery", "tomorrow", ["events", 0, "estimated_delivery"]),
    ],
)
def test_invalid_values_are_rejected(field: str, value: str, loc: list[object]) -> None:
    payload = fixture("generic.json")
    payload["events"][0][field] = value

    with pytest.raises(InvalidInput) as caught:
        SOURCE.parse(body_of(payload))

    assert [error["loc"] for error in caught.value.errors] == [loc]


def test_more_than_one_hundred_events_are_rejected() -> None:
    payload = fixture("generic.json")
    payload["events"] = payload["events"][:1] * 101

    with pytest.raises(InvalidInput) as caught:
        SOURCE.parse(body_of(payload))

    assert caught.value.errors[0]["loc"] == ["events"]


def test_exactly_one_hundred_events_are_accepted() -> None:
    payload = fixture("generic.json")
    payload["events"] = [dict(payload["events"][0], event_id=f"evt-{n}") for n in range(100)]

    assert len(SOURCE.parse(body_of(payload)).events) == 100


@pytest.mark.parametrize("body", [b"", b"[]", json.dumps({}).encode()])
def test_a_body_that_is_not_the_generic_format_is_invalid_input(body: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        SOURCE.parse(body)

    assert caught.value.errors
    assert all({"loc", "msg"} == set(error) for error in caught.value.errors)


@pytest.mark.parametrize(
    "body", [b"not json", b"\xff\xfe", b'{"events": [', b"[" * 10_000 + b"]" * 10_000]
)
def test_a_body_that_is_not_json_is_malformed_not_invalid(body: bytes) -> None:
    # Given a body no JSON parser reads (10,000 levels deep included, which once overflowed the
    # stack) / When it is parsed / Then it is malformed JSON: 400 at the edge, as everywhere.
    with pytest.raises(MalformedJson):
        SOURCE.parse(body)
