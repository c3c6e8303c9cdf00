"""Who may rate when, and the promise as the customer lived it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.errors import AlreadyRated, InvalidInput, NotDelivered
from chalicelib.domain.feedback.rating import (
    MAX_CHANGES,
    DeliveredParcel,
    check_may_rate,
    check_products,
    delay_announced,
    promise_outcome,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 27, 12, tzinfo=UTC)
LATEST = date(2026, 12, 23)


def parcel(delivered_at: datetime, *skus: str) -> DeliveredParcel:
    return DeliveredParcel("dhl", delivered_at, frozenset(skus or ("MUG",)))


def test_nothing_delivered_cannot_be_rated() -> None:
    with pytest.raises(NotDelivered):
        check_may_rate([], None, NOW)


@pytest.mark.parametrize(
    ("age", "allowed"),
    [(timedelta(0), True), (timedelta(days=13, hours=23), True), (timedelta(days=14), False)],
)
def test_a_rating_may_change_for_14_days_after_the_first(age: timedelta, allowed: bool) -> None:
    delivered = [parcel(NOW - timedelta(days=20))]
    if allowed:
        check_may_rate(delivered, NOW - age, NOW)
    else:
        with pytest.raises(AlreadyRated):
            check_may_rate(delivered, NOW - age, NOW)


def test_only_delivered_items_may_be_rated_once_each() -> None:
    delivered = [parcel(NOW, "MUG", "HAT")]
    check_products(delivered, ["MUG", "HAT"])

    with pytest.raises(InvalidInput) as refused:
        check_products(delivered, ["MUG", "SOCKS", "MUG"])

    assert [e["loc"] for e in refused.value.errors] == [["items", 1, "sku"], ["items", 2, "sku"]]


@pytest.mark.parametrize(
    ("state", "delivered_on", "expected"),
    [
        ("kept", datetime(2026, 12, 23, 22, tzinfo=UTC), ("kept", 0)),
        # 23:30 UTC on the 25th is the 26th in Berlin: three days late there.
        ("broken", datetime(2026, 12, 25, 23, 30, tzinfo=UTC), ("broken", 3)),
        ("late", datetime(2026, 12, 22, 9, tzinfo=UTC), ("broken", 4)),  # still out on the 27th
        ("on_track", datetime(2026, 12, 22, 9, tzinfo=UTC), ("open", 0)),
        ("at_risk", datetime(2026, 12, 22, 9, tzinfo=UTC), ("open", 0)),
    ],
)
def test_the_promise_outcome_and_days_late(
    state: str, delivered_on: datetime, expected: tuple[str, int]
) -> None:
    assert promise_outcome(state, LATEST, [parcel(delivered_on)], BERLIN, NOW) == expected


def test_a_delay_counts_as_announced_only_before_the_promised_day_passed() -> None:
    on_the_day = datetime(2026, 12, 23, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    after = datetime(2026, 12, 23, 23, 30, tzinfo=UTC)  # 00:30 on the 24th in Berlin

    assert delay_announced([on_the_day], LATEST, BERLIN)
    assert not delay_announced([after], LATEST, BERLIN)
    assert not delay_announced([], LATEST, BERLIN)


def test_a_rating_changes_at_most_twenty_times() -> None:
    delivered = [parcel(NOW - timedelta(days=2))]
    first = NOW - timedelta(days=1)

    check_may_rate(delivered, first, NOW, changes=MAX_CHANGES - 1)
    with pytest.raises(AlreadyRated, match=f"at most {MAX_CHANGES} times"):
        check_may_rate(delivered, first, NOW, changes=MAX_CHANGES)
    assert MAX_CHANGES == 20
