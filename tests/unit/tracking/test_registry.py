"""The registry the route reads, the shared event rules, and the layer's purity."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from itertools import permutations
from pathlib import Path
from typing import get_args

import pytest

from chalicelib.domain.errors import InvalidInput, InvalidSignature
from chalicelib.domain.tracking import (
    SOURCES,
    ParcelStatus,
    SkipReason,
    TrackingEvent,
    derive_event_id,
    get_source,
)
from chalicelib.domain.tracking.status import StatusMap
from chalicelib.domain.webhook_sources import WEBHOOK_SOURCE_NAMES, WebhookSourceName
from tests.unit.tracking.senders import (
    NOW,
    SECRET,
    aftership_headers,
    body_of,
    easypost_headers,
    fixture,
    generic_headers,
    seventeen_track_headers,
    shippo_headers,
)

SIGNED = {
    "generic": ("generic.json", generic_headers),
    "easypost": ("easypost_tracker_updated.json", easypost_headers),
    "aftership": ("aftership_tracking_update.json", aftership_headers),
    "shippo": ("shippo_track_updated.json", shippo_headers),
    "17track": ("17track_tracking_updated.json", seventeen_track_headers),
}


def test_the_registry_offers_the_documented_sources() -> None:
    assert set(SOURCES) == {"generic", "easypost", "aftership", "shippo", "17track"}
    assert all(source.name == name for name, source in SOURCES.items())


def test_an_unknown_source_is_invalid_input_naming_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as raised:
        get_source("fedex")

    assert raised.value.errors == [
        {
            "loc": ["source"],
            "msg": "Input should be one of generic, easypost, aftership, shippo, 17track",
        }
    ]


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_each_source_accepts_its_own_signature_with_upper_or_lower_case_headers(
    name: str,
) -> None:
    fixture_name, sign = SIGNED[name]
    body = body_of(fixture(fixture_name))
    headers = sign(body)

    for variant in (headers, {k.upper(): v for k, v in headers.items()}):
        get_source(name).verify(variant, body, SECRET, NOW)
    assert get_source(name).parse(body).events


@pytest.mark.parametrize(("name", "other"), list(permutations(sorted(SIGNED), 2)))
def test_no_source_accepts_another_sender_s_signature(name: str, other: str) -> None:
    fixture_name, _ = SIGNED[name]
    _, other_sign = SIGNED[other]
    body = body_of(fixture(fixture_name))

    with pytest.raises(InvalidSignature):
        get_source(name).verify(other_sign(body), body, SECRET, NOW)


def test_an_event_id_is_stable_across_offsets_and_distinct_per_code() -> None:
    instant = datetime(2026, 12, 23, 20, 4, tzinfo=UTC)
    in_berlin = instant.astimezone(timezone(timedelta(hours=1)))

    first = derive_event_id("aftership", "003404", instant, "InTransit/InTransit_003")

    assert first == derive_event_id("aftership", "003404", in_berlin, "InTransit/InTransit_003")
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != derive_event_id("aftership", "003404", instant, "InTransit/InTransit_007")
    assert first != derive_event_id("shippo", "003404", instant, "InTransit/InTransit_003")
    assert first != derive_event_id("aftership", "003405", instant, "InTransit/InTransit_003")


def test_an_event_without_utc_offset_is_refused() -> None:
    with pytest.raises(InvalidInput, match="offset"):
        TrackingEvent(
            event_id="e",
            source="generic",
            carrier="dhl",
            tracking_number="1",
            status=ParcelStatus.IN_TRANSIT,
            occurred_at=datetime(2026, 12, 23, 21, 4),
        )


TABLE = StatusMap(
    statuses={"moving": ParcelStatus.IN_TRANSIT, "done": ParcelStatus.DELIVERED, "none": None},
    details={"late": ParcelStatus.EXCEPTION, "plain": None},
)


@pytest.mark.parametrize(
    ("status", "detail", "expected"),
    [
        ("moving", "late", ParcelStatus.EXCEPTION),
        ("moving", "plain", ParcelStatus.IN_TRANSIT),
        ("moving", "new", ParcelStatus.IN_TRANSIT),
        ("moving", None, ParcelStatus.IN_TRANSIT),
        ("done", "late", ParcelStatus.DELIVERED),
        ("none", "late", SkipReason.NO_PARCEL_INFORMATION),
        ("gone", None, SkipReason.UNKNOWN_STATUS),
    ],
    ids=["detail-wins", "detail-defers", "unknown-detail", "no-detail", "terminal-parent",
         "parent-skips", "unknown-parent"],
)  # fmt: skip
def test_a_detail_refines_its_status_but_never_downgrades_a_terminal_one(
    status: str, detail: str | None, expected: object
) -> None:
    assert TABLE.resolve(status, detail) == expected


def test_the_layer_imports_neither_aws_nor_chalice() -> None:
    probe = (
        "import sys, chalicelib.domain.tracking;"
        "print(sorted(m for m in ('boto3', 'botocore', 'chalice') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root
    )

    assert result.stdout.strip() == "[]"


def test_the_openapi_document_names_exactly_the_senders_the_route_verifies() -> None:
    assert set(get_args(WebhookSourceName)) == set(SOURCES)


def test_the_secrets_name_the_senders_in_the_registry_order_without_loading_it() -> None:
    # The secrets read the names alone (every function reads them, few parse a webhook).
    assert WEBHOOK_SOURCE_NAMES == tuple(SOURCES)
