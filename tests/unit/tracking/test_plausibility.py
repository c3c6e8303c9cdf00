"""Which carrier events a parcel's record trusts: its carrier, after the order, not far ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.tracking import ParcelStatus, SkipReason, TrackingEvent
from chalicelib.domain.tracking.carriers import carrier_group, same_carrier
from chalicelib.domain.tracking.plausibility import (
    FUTURE_TOLERANCE,
    ParcelOnRecord,
    implausible,
)
from chalicelib.domain.tracking_number import tracking_number_key

NOW = datetime(2026, 12, 7, 20, tzinfo=UTC)
PLACED = NOW - timedelta(days=2)
DHL_PARCEL = ParcelOnRecord("dhl", PLACED)


def scan(
    occurred_at: datetime, carrier: str = "dhl", estimate: date | None = None
) -> TrackingEvent:
    return TrackingEvent(
        "evt-1", "generic", carrier, "JJD0001", ParcelStatus.DELIVERED, occurred_at,
        estimated_delivery=estimate,
    )  # fmt: skip


def test_a_scan_between_the_order_and_now_is_trusted() -> None:
    assert implausible(scan(PLACED + timedelta(hours=20)), DHL_PARCEL, NOW) is None


@pytest.mark.parametrize(
    ("occurred_at", "reason"),
    [
        (datetime(2023, 5, 2, 12, tzinfo=UTC), SkipReason.BEFORE_ORDER),  # the delivered
        (PLACED - timedelta(seconds=1), SkipReason.BEFORE_ORDER),
        (NOW + timedelta(days=365), SkipReason.IN_FUTURE),  # next year's in_transit
        (NOW + FUTURE_TOLERANCE + timedelta(seconds=1), SkipReason.IN_FUTURE),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), SkipReason.BEFORE_ORDER),
        (
            datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
            SkipReason.IN_FUTURE,
        ),
    ],
    ids=["2023", "a-second-early", "next-year", "a-day-and-a-second", "year-1", "year-9999"],
)
def test_a_scan_before_the_order_or_more_than_a_day_ahead_is_not(
    occurred_at: datetime, reason: SkipReason
) -> None:
    assert implausible(scan(occurred_at), DHL_PARCEL, NOW) is reason


def test_a_day_ahead_of_the_clock_is_allowed_for_carriers_clocks_and_offsets() -> None:
    assert implausible(scan(NOW + FUTURE_TOLERANCE), DHL_PARCEL, NOW) is None


def test_an_estimate_far_from_the_present_is_not_trusted() -> None:
    event = scan(NOW, estimate=date(2200, 1, 1))

    assert implausible(event, DHL_PARCEL, NOW) is SkipReason.ESTIMATE_OUT_OF_RANGE


def test_an_event_of_another_carrier_does_not_move_the_parcel() -> None:
    assert implausible(scan(NOW, carrier="ups"), DHL_PARCEL, NOW) is SkipReason.CARRIER_MISMATCH


def test_a_parcel_without_a_carrier_on_record_takes_any() -> None:
    assert implausible(scan(NOW, carrier="ups"), ParcelOnRecord(None, PLACED), NOW) is None


@pytest.mark.parametrize(
    ("registered", "reported"),
    [
        ("dhl", "dhl"),
        ("dhl", "DHL"),
        ("dhl", "dhl-germany"),  # AfterShip
        ("dhl", "DHLExpress"),  # EasyPost
        ("dhl", "dhl_express"),  # Shippo
        ("dhl", "deutsch-post"),  # AfterShip's Deutsche Post
        ("deutsche-post", "dhl"),
        ("dhl", "7041"),  # 17TRACK: DHL Paket
        ("ups", "100002"),
        ("usps", "USPS"),
        ("hermes", "evri"),
        ("acme", "acme-express"),  # a name the table does not know: as written
        ("dhl", "999999"),  # a 17TRACK number nobody here can read: not refused for it
    ],
)
def test_the_same_carrier_under_the_senders_names(registered: str, reported: str) -> None:
    assert same_carrier(registered, reported)


@pytest.mark.parametrize(
    ("registered", "reported"),
    [("dhl", "ups"), ("ups", "usps"), ("dhl", "100002"), ("dpd", "gls"), ("acme", "ajax")],
)
def test_another_carrier_is_told_apart(registered: str, reported: str) -> None:
    assert not same_carrier(registered, reported)


def test_carrier_groups_ignore_case_and_punctuation() -> None:
    assert carrier_group("DHL_Express") == carrier_group("dhl-express") == "dhl"
    assert carrier_group("123456") is None


@pytest.mark.parametrize("written", ["xsstrk0001", "XSSTRK0001", " XSS TRK 0001 ", "xSsTrK\t0001"])
def test_tracking_numbers_match_without_case_or_spaces(written: str) -> None:
    assert tracking_number_key(written) == "XSSTRK0001"
