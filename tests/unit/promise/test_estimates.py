"""Rule estimates for parcels on their way (used when the carrier gives none)."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.config.loader import load_config
from chalicelib.domain.orders.estimate import earliest_after_scan
from chalicelib.domain.parcel_status import ParcelStatus
from chalicelib.domain.promise.estimates import find_rule, transit_estimate


@pytest.mark.parametrize(
    ("method", "scan", "expected"),
    [
        ("standard", date(2026, 12, 22), date(2026, 12, 23)),  # Tue → Wed
        ("standard", date(2026, 12, 24), date(2026, 12, 28)),  # 25/26 holidays, 27 Sunday
        ("next_day", date(2026, 12, 18), date(2026, 12, 21)),  # Fri → Mon (no Saturday delivery)
        ("economy", date(2026, 12, 21), date(2026, 12, 24)),  # Tue, Wed, Thu (24th is no holiday)
    ],
)
def test_estimate_counts_the_methods_delivery_days_from_the_scan(
    method: str, scan: date, expected: date
) -> None:
    rule = find_rule(load_config(), method, "DE", "10115")
    assert rule is not None

    assert earliest_after_scan(ParcelStatus.IN_TRANSIT, scan, transit_estimate(rule)) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 23), date(2026, 12, 23)),  # a Wednesday: itself
        (date(2026, 12, 25), date(2026, 12, 28)),  # Christmas Day: Monday after the Sunday
    ],
)
def test_the_first_delivery_day_from_a_day_is_that_day_when_it_is_one(
    day: date, expected: date
) -> None:
    rule = find_rule(load_config(), "standard", "DE", "10115")
    assert rule is not None

    assert transit_estimate(rule).nth_after(day, 0) == expected


def test_rule_by_key_wins_and_unknown_method_has_none() -> None:
    config = load_config()
    austrian = find_rule(config, "standard", "AT", "1010")
    assert austrian is not None

    assert find_rule(config, "anything", "DE", "10115", key=austrian.key) is austrian
    assert find_rule(config, "teleport", "DE", "10115") is None
