"""The expected delivery day: the carrier's word while still possible, else the injected rules
counted from the latest scan and from today, never before either."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.orders import ShipmentState, apply_event, apply_events, estimated_delivery
from tests.unit.orders.builders import BERLIN, Weekdays, at, event, shipment

RULES = Weekdays()
# Monday 21 December 2026, 09:00 in Berlin (builders.T0)
MONDAY = at(0)


def test_a_possible_carrier_estimate_wins_over_the_rules() -> None:
    moved = apply_event(shipment(), event("e1", "in_transit", at(1), date(2026, 12, 23)))

    assert estimated_delivery(moved, BERLIN, at(2), RULES) == date(2026, 12, 23)


def test_the_rules_count_from_the_last_scan_day_in_the_destination_zone() -> None:
    # 23:30 UTC on Monday the 21st is already Tuesday the 22nd in Berlin: two weekdays on
    late_scan = datetime(2026, 12, 21, 23, 30, tzinfo=UTC)
    moved = apply_event(shipment(), event("e1", "in_transit", late_scan))

    assert estimated_delivery(moved, BERLIN, late_scan, RULES) == date(2026, 12, 24)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("out_for_delivery", date(2026, 12, 21)),  # today: it is on the van
        ("available_for_pickup", date(2026, 12, 21)),  # today: it waits at the shop
        ("failed_attempt", date(2026, 12, 22)),  # the next delivery day
        ("in_transit", date(2026, 12, 23)),  # the shortest transit, two days
        ("exception", date(2026, 12, 23)),
        ("info_received", date(2026, 12, 23)),
    ],
)
def test_how_soon_the_latest_scan_allows_delivery(status: str, expected: date) -> None:
    moved = apply_event(shipment(), event("e1", status, MONDAY))

    assert estimated_delivery(moved, BERLIN, MONDAY + timedelta(hours=1), RULES) == expected


def test_an_estimate_whose_day_passed_moves_to_the_first_delivery_day_from_today() -> None:
    # Given a parcel in transit since Friday 19:30 (the rules said Tuesday)
    friday = datetime(2026, 12, 18, 19, 30, tzinfo=BERLIN)
    moved = apply_event(shipment(), event("e1", "in_transit", friday))

    # When it is looked at on the following Wednesday evening, and on Saturday
    wednesday = datetime(2026, 12, 23, 20, 0, tzinfo=BERLIN)
    saturday = datetime(2026, 12, 26, 9, 0, tzinfo=BERLIN)

    # Then it is expected that day, or on the next delivery day
    assert estimated_delivery(moved, BERLIN, friday, RULES) == date(2026, 12, 22)
    assert estimated_delivery(moved, BERLIN, wednesday, RULES) == date(2026, 12, 23)
    assert estimated_delivery(moved, BERLIN, saturday, RULES) == date(2026, 12, 28)


def test_a_carrier_estimate_before_today_gives_way_to_the_rules() -> None:
    moved = apply_event(shipment(), event("e1", "in_transit", at(1), date(2026, 12, 22)))
    thursday = datetime(2026, 12, 24, 8, 0, tzinfo=BERLIN)

    assert estimated_delivery(moved, BERLIN, thursday, RULES) == date(2026, 12, 24)
    assert estimated_delivery(moved, BERLIN, thursday) is None  # no rules: we cannot say


def test_a_carrier_estimate_a_later_scan_rules_out_gives_way_to_the_rules() -> None:
    # Given the carrier's "Tuesday" with a scan on Monday morning, then another scan on Monday
    # evening that gives none
    scans = [
        event("e1", "in_transit", at(1), date(2026, 12, 22)),
        event("e2", "in_transit", at(11)),
    ]
    moved = apply_events(shipment(), scans)

    # Then the parcel can only arrive two delivery days after Monday
    assert estimated_delivery(moved, BERLIN, at(12), RULES) == date(2026, 12, 23)
    # unless the later scan leaves the carrier's day possible: out for delivery on Tuesday
    on_the_van = apply_event(moved, event("e3", "out_for_delivery", at(22)))
    assert estimated_delivery(on_the_van, BERLIN, at(23), RULES) == date(2026, 12, 22)


def test_a_carrier_estimate_with_the_latest_scan_stands_even_where_the_rules_say_later() -> None:
    moved = apply_event(shipment(), event("e1", "in_transit", at(1), date(2026, 12, 21)))

    assert estimated_delivery(moved, BERLIN, at(2), RULES) == date(2026, 12, 21)


@pytest.mark.parametrize(
    "state",
    [
        shipment(),  # no carrier event yet: no scan to count from
        apply_event(shipment(), event("e1", "delivered", at(1), date(2026, 12, 23))),
        apply_event(shipment(), event("e1", "returned_to_sender", at(1))),
    ],
    ids=["no-event", "delivered", "returned"],
)
def test_there_is_nothing_to_expect_before_a_scan_or_after_the_end(state: ShipmentState) -> None:
    assert estimated_delivery(state, BERLIN, at(2), RULES) is None


def test_without_rules_there_is_only_the_carrier_estimate() -> None:
    moved = apply_event(shipment(), event("e1", "in_transit", at(1)))

    assert estimated_delivery(moved, BERLIN, at(2)) is None
