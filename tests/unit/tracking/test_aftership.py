"""AfterShip tracking_update: base64 HMAC of the body, checkpoints mapped by tag and subtag."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import InvalidInput, InvalidSignature
from chalicelib.domain.tracking import ParcelStatus, SkipReason, get_source
from chalicelib.domain.tracking.sources.aftership import DETAILS, STATUSES, TABLE
from tests.unit.tracking.senders import NOW, SECRET, aftership_headers, body_of, fixture

SOURCE = get_source("aftership")
BERLIN_WINTER = timezone(timedelta(hours=1))
FIXTURE = "aftership_tracking_update.json"

# From AfterShip "Delivery Statuses" and "Delivery Sub-statuses" (with the March 2026 additions;
# OutForDelivery_002 is the retired "available for pickup" subtag of older trackings).
DOCUMENTED_TAGS = [
    "Pending", "InfoReceived", "InTransit", "OutForDelivery", "AttemptFail", "Delivered",
    "AvailableForPickup", "Exception", "Expired",
]  # fmt: skip
DOCUMENTED_SUBTAGS = [
    "Delivered_001", "Delivered_002", "Delivered_003", "Delivered_004", "Delivered_005",
    "AvailableForPickup_001",
    "Exception_001", "Exception_002", "Exception_003", "Exception_004", "Exception_005",
    "Exception_006", "Exception_007", "Exception_008", "Exception_009", "Exception_010",
    "Exception_011", "Exception_012", "Exception_013", "Exception_016", "Exception_017",
    "Exception_018", "Exception_019", "Exception_020", "Exception_021",
    "AttemptFail_001", "AttemptFail_002", "AttemptFail_003",
    "InTransit_001", "InTransit_002", "InTransit_003", "InTransit_004", "InTransit_005",
    "InTransit_006", "InTransit_007", "InTransit_008", "InTransit_009",
    "InfoReceived_001",
    "OutForDelivery_001", "OutForDelivery_002", "OutForDelivery_003", "OutForDelivery_004",
    "Pending_001", "Pending_002", "Pending_003", "Pending_004", "Pending_005", "Pending_006",
    "Expired_001",
]  # fmt: skip


def test_a_signed_tracking_update_becomes_one_event_per_checkpoint() -> None:
    body = body_of(fixture(FIXTURE))

    SOURCE.verify(aftership_headers(body), body, SECRET, NOW)
    batch = SOURCE.parse(body)

    assert [event.status for event in batch.events] == [
        ParcelStatus.INFO_RECEIVED,
        ParcelStatus.IN_TRANSIT,
        ParcelStatus.IN_TRANSIT,
    ]
    leipzig = batch.events[-1]
    assert leipzig.source == "aftership"
    assert leipzig.carrier == "dhl-germany"
    assert leipzig.tracking_number == "00340434161094042557"
    assert leipzig.carrier_status == "InTransit/InTransit_003"
    assert leipzig.occurred_at == datetime(2026, 12, 23, 21, 4, tzinfo=BERLIN_WINTER)
    assert leipzig.occurred_at.utcoffset() == timedelta(hours=1)
    assert leipzig.location == "Leipzig, Deutschland"
    assert leipzig.description == "Die Sendung wurde im Ziel-Paketzentrum bearbeitet."
    assert batch.events[0].location == "Deutschland"


def test_the_carriers_estimate_wins_over_aftership_s_prediction() -> None:
    payload = fixture(FIXTURE)
    assert SOURCE.parse(body_of(payload)).events[-1].estimated_delivery == date(2026, 12, 24)

    del payload["msg"]["expected_delivery"]
    assert SOURCE.parse(body_of(payload)).events[-1].estimated_delivery == date(2026, 12, 25)

    payload["msg"]["courier_estimated_delivery_date"] = {"estimated_delivery_date": "2026-12-27"}
    assert SOURCE.parse(body_of(payload)).events[-1].estimated_delivery == date(2026, 12, 27)


def test_a_checkpoint_time_without_offset_falls_back_to_when_aftership_recorded_it() -> None:
    payload = fixture(FIXTURE)
    payload["msg"]["checkpoints"][2]["checkpoint_time"] = "2026-12-23T21:04:00"

    leipzig = SOURCE.parse(body_of(payload)).events[-1]

    assert leipzig.occurred_at == datetime(2026, 12, 23, 20, 11, 40, tzinfo=UTC)


def test_a_return_to_sender_subtag_outranks_its_exception_tag() -> None:
    payload = fixture(FIXTURE)
    payload["msg"]["checkpoints"][2].update(tag="Exception", subtag="Exception_011")

    returned = SOURCE.parse(body_of(payload)).events[-1]

    assert returned.status is ParcelStatus.RETURNED_TO_SENDER
    assert returned.carrier_status == "Exception/Exception_011"


def test_pending_and_unknown_tags_are_skipped_and_reported() -> None:
    payload = fixture(FIXTURE)
    payload["msg"]["checkpoints"][0].update(tag="Pending", subtag="Pending_001")
    payload["msg"]["checkpoints"][1].update(tag="Lost", subtag=None)

    batch = SOURCE.parse(body_of(payload))

    assert len(batch.events) == 1
    assert [(item.carrier_status, item.reason) for item in batch.skipped] == [
        ("Pending/Pending_001", SkipReason.NO_PARCEL_INFORMATION),
        ("Lost", SkipReason.UNKNOWN_STATUS),
    ]
    assert {item.tracking_number for item in batch.skipped} == {"00340434161094042557"}


def test_other_webhook_events_carry_nothing_to_track() -> None:
    batch = SOURCE.parse(body_of({"event": "tracking_pending_time", "msg": {}, "ts": 1}))

    assert batch.events == () and batch.skipped == ()


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"events": []}, ["event"]),
        ({"event": "tracking_update", "ts": 1798056705}, ["msg"]),
        ({"event": "tracking_update", "msg": {"slug": "dhl"}}, ["msg", "tracking_number"]),
        ({"event": "tracking_update", "msg": {"tracking_number": "1", "slug": "dhl",
          "checkpoints": [{"message": "no tag"}]}}, ["msg", "checkpoints", 0, "tag"]),
    ],
    ids=["generic-body", "no-msg", "no-tracking-number", "checkpoint-without-tag"],
)  # fmt: skip
def test_a_body_that_is_not_an_aftership_update_is_invalid_input(
    payload: dict[str, object], loc: list[object]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        SOURCE.parse(body_of(payload))

    assert loc in [error["loc"] for error in caught.value.errors]


def test_a_wrong_or_missing_signature_is_rejected() -> None:
    body = body_of(fixture(FIXTURE))

    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify(aftership_headers(body, secret="other"), body, SECRET, NOW)
    with pytest.raises(InvalidSignature, match="does not match"):
        SOURCE.verify(aftership_headers(body), body + b" ", SECRET, NOW)
    with pytest.raises(InvalidSignature, match="missing"):
        SOURCE.verify({"am-webhook-signature": "x"}, body, SECRET, NOW)


def test_the_header_is_found_whatever_its_case() -> None:
    body = body_of(fixture(FIXTURE))

    SOURCE.verify(
        {"Aftership-Hmac-Sha256": aftership_headers(body)["aftership-hmac-sha256"]},
        body,
        SECRET,
        NOW,
    )


def test_the_tables_cover_exactly_the_documented_codes() -> None:
    assert sorted(STATUSES) == sorted(DOCUMENTED_TAGS)
    assert sorted(DETAILS) == sorted(DOCUMENTED_SUBTAGS)


@pytest.mark.parametrize("subtag", DOCUMENTED_SUBTAGS)
def test_every_documented_subtag_maps_or_is_explicitly_skipped(subtag: str) -> None:
    outcome = TABLE.resolve(subtag.split("_")[0], subtag)

    assert isinstance(outcome, ParcelStatus) or outcome is SkipReason.NO_PARCEL_INFORMATION


@pytest.mark.parametrize(
    ("tag", "subtag", "expected"),
    [
        ("Pending", None, SkipReason.NO_PARCEL_INFORMATION),
        ("Expired", "Expired_001", SkipReason.NO_PARCEL_INFORMATION),
        ("InfoReceived", "InfoReceived_001", ParcelStatus.INFO_RECEIVED),
        ("InTransit", "InTransit_007", ParcelStatus.IN_TRANSIT),
        ("OutForDelivery", "OutForDelivery_002", ParcelStatus.AVAILABLE_FOR_PICKUP),
        ("AttemptFail", "AttemptFail_002", ParcelStatus.FAILED_ATTEMPT),
        ("AvailableForPickup", None, ParcelStatus.AVAILABLE_FOR_PICKUP),
        ("Delivered", "Delivered_005", ParcelStatus.DELIVERED),
        ("Exception", "Exception_010", ParcelStatus.RETURNED_TO_SENDER),
        ("Exception", "Exception_013", ParcelStatus.EXCEPTION),
        ("Exception", "Exception_014", ParcelStatus.EXCEPTION),  # undocumented: follows its tag
        ("Exception", "Exception_020", ParcelStatus.EXCEPTION),
    ],
)
def test_notable_mappings(tag: str, subtag: str | None, expected: object) -> None:
    assert TABLE.resolve(tag, subtag) == expected


# -- the same limits as the generic format -------------------------------------------------------
def test_a_thousand_checkpoints_are_read_as_the_newest_hundred_and_the_rest_counted() -> None:
    # AfterShip sends a parcel's whole history each time; one with 1,000 checkpoints once took
    # eleven seconds and slowed every later read of its order.
    payload = fixture(FIXTURE)
    checkpoint = payload["msg"]["checkpoints"][-1]
    start = datetime(2026, 12, 22, tzinfo=UTC)
    payload["msg"]["checkpoints"] = [
        {**checkpoint, "checkpoint_time": (start + timedelta(minutes=n)).isoformat()}
        for n in range(1000)
    ]

    batch = SOURCE.parse(body_of(payload))

    assert len(batch.events) == 100
    assert [e.occurred_at for e in batch.events] == [
        start + timedelta(minutes=n) for n in range(900, 1000)
    ]
    assert [s.reason for s in batch.skipped] == [SkipReason.TOO_MANY_EVENTS] * 900


def test_a_carriers_long_texts_are_cut_to_the_generic_formats_bounds() -> None:
    payload = fixture(FIXTURE)
    payload["msg"]["checkpoints"] = [
        {
            **payload["msg"]["checkpoints"][-1],
            "message": "Paket " * 1000,
            "location": "Leipzig " * 100,
            "subtag": "InTransit_" + "9" * 500,
        }
    ]

    (event,) = SOURCE.parse(body_of(payload)).events

    assert event.description is not None and len(event.description) == 500
    assert event.location is not None and len(event.location) == 200
    assert event.carrier_status is not None and len(event.carrier_status) == 100
    assert event.status is ParcelStatus.IN_TRANSIT


@pytest.mark.parametrize("field", ["tracking_number", "slug"])
def test_a_tracking_number_or_carrier_longer_than_any_is_not_the_format(field: str) -> None:
    payload = fixture(FIXTURE)
    payload["msg"][field] = "X" * 65

    with pytest.raises(InvalidInput):
        SOURCE.parse(body_of(payload))
