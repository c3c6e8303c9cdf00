"""The expected delivery date: the carrier's word first, else the injected transit rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.orders import ShipmentState, apply_event, estimated_delivery
from tests.unit.orders.builders import BERLIN, at, event, shipment


def two_days_after(scan_date: date) -> date:
    return scan_date + timedelta(days=2)


def test_the_carrier_estimate_wins_over_the_rules() -> None:
    calls: list[date] = []

    def rules(scan_date: date) -> date:
        calls.append(scan_date)
        return date(2030, 1, 1)

    moved = apply_event(shipment(), event("e1", "in_transit", at(1), date(2026, 12, 23)))

    assert estimated_delivery(moved, BERLIN, rules) == date(2026, 12, 23)
    assert calls == []


def test_without_a_carrier_estimate_the_rules_get_the_last_scan_date_in_the_zone() -> None:
    # 23:30 UTC on the 21st is already the 22nd in Berlin.
    late_scan = datetime(2026, 12, 21, 23, 30, tzinfo=UTC)
    moved = apply_event(shipment(), event("e1", "in_transit", late_scan))

    assert estimated_delivery(moved, BERLIN, two_days_after) == date(2026, 12, 24)


@pytest.mark.parametrize(
    "state",
    [
        shipment(),  # no carrier event yet: no scan date to count from
        apply_event(shipment(), event("e1", "delivered", at(1))),
        apply_event(shipment(), event("e1", "returned_to_sender", at(1))),
    ],
    ids=["no-event", "delivered", "returned"],
)
def test_the_rules_are_not_asked_when_there_is_nothing_to_predict(state: ShipmentState) -> None:
    assert estimated_delivery(state, BERLIN, two_days_after) is None


def test_without_rules_there_is_only_the_carrier_estimate() -> None:
    moved = apply_event(shipment(), event("e1", "in_transit", at(1)))

    assert estimated_delivery(moved, BERLIN) is None
