"""The withdrawal function's pure rules: matching, the statutory period, sameness, the return."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import ReturnNotAllowed
from chalicelib.domain.withdrawals import (
    Declaration,
    WithdrawnItem,
    address_key,
    fingerprint,
    matches,
    period,
    retain_until,
    return_lines,
)

BERLIN = ZoneInfo("Europe/Berlin")
ANNA = Declaration("Anna Schmidt", "1001", "anna@example.com")


@pytest.mark.parametrize(
    ("declared", "on_order", "expected"),
    [
        ("anna@example.com", "anna@example.com", True),
        ("  Anna@Example.COM ", "anna@example.com", True),
        ("anna@example.com", " ANNA@example.com", True),
        ("anna@example.org", "anna@example.com", False),
        ("anna@example.com", None, False),  # an order without an address matches nobody
    ],
)
def test_an_address_matches_regardless_of_case_and_surrounding_spaces(
    declared: str, on_order: str | None, expected: bool
) -> None:
    assert matches(declared, on_order) is expected


def test_the_daily_limit_counts_an_address_by_a_digest_of_its_normal_form() -> None:
    assert address_key(" Anna@Example.com") == address_key("anna@example.com")
    assert "anna" not in address_key("anna@example.com")


def test_the_same_declaration_has_the_same_fingerprint_whatever_its_spacing_and_case() -> None:
    again = Declaration("  anna   SCHMIDT ", "1001", "ANNA@example.com ", locale="en")
    assert fingerprint(again) == fingerprint(ANNA)


@pytest.mark.parametrize(
    "other",
    [
        Declaration("Anna Schmidt", "1002", "anna@example.com"),
        Declaration("Anna Schmitt", "1001", "anna@example.com"),
        Declaration("Anna Schmidt", "1001", "anna@example.org"),
        Declaration("Anna Schmidt", "1001", "anna@example.com", (WithdrawnItem("MUG", 1),)),
    ],
)
def test_another_order_name_address_or_choice_is_another_declaration(other: Declaration) -> None:
    assert fingerprint(other) != fingerprint(ANNA)


def test_items_in_another_order_are_the_same_choice() -> None:
    a = Declaration("A", "1", "a@b.cd", (WithdrawnItem("X", 1), WithdrawnItem("Y", 2)))
    b = Declaration("A", "1", "a@b.cd", (WithdrawnItem("Y", 2), WithdrawnItem("X", 1)))
    assert fingerprint(a) == fingerprint(b)


def test_before_every_parcel_arrived_the_period_has_not_begun() -> None:
    now = datetime(2026, 12, 8, 12, tzinfo=UTC)
    assert period([], now, 14, BERLIN).state == "not_delivered"
    assert period([now - timedelta(days=30), None], now, 14, BERLIN).state == "not_delivered"


@pytest.mark.parametrize(
    ("received", "state"),
    [
        (datetime(2026, 12, 15, 22, 59, tzinfo=UTC), "within"),  # 23:59 on the 14th day, Berlin
        (datetime(2026, 12, 15, 23, 0, tzinfo=UTC), "expired"),  # 00:00 on the 15th day
    ],
)
def test_the_period_runs_fourteen_days_from_the_last_parcels_delivery_in_the_orders_zone(
    received: datetime, state: str
) -> None:
    first = datetime(2026, 11, 20, 9, tzinfo=UTC)
    last = datetime(2026, 12, 1, 15, tzinfo=UTC)

    found = period([first, last], received, 14, BERLIN)

    assert found.state == state
    assert found.delivered_at == last and found.ends_on == date(2026, 12, 15)


def test_the_number_of_days_is_configurable() -> None:
    delivered = datetime(2026, 12, 1, 15, tzinfo=UTC)
    received = delivered + timedelta(days=20)
    assert period([delivered], received, 30, BERLIN).state == "within"
    assert period([delivered], received, 14, BERLIN).state == "expired"


def test_a_declaration_is_kept_for_the_retention_time() -> None:
    at = datetime(2026, 12, 8, tzinfo=UTC)
    assert retain_until(at, 1096) == datetime(2029, 12, 8, tzinfo=UTC)


def test_without_a_choice_the_whole_order_goes_back_less_what_is_already_returned() -> None:
    lines = return_lines([], {"SHIRT": 2, "MUG": 1}, {"SHIRT": 1})
    assert [(line.sku, line.quantity, line.reason) for line in lines] == [
        ("SHIRT", 1, "withdrawal"),
        ("MUG", 1, "withdrawal"),
    ]


def test_chosen_items_go_back_as_far_as_they_are_in_the_order() -> None:
    lines = return_lines([("MUG", 5), ("GHOST", 1)], {"SHIRT": 2, "MUG": 1}, {})
    assert [(line.sku, line.quantity) for line in lines] == [("MUG", 1)]


def test_a_withdrawal_of_nothing_left_opens_no_return() -> None:
    with pytest.raises(ReturnNotAllowed):
        return_lines([], {"MUG": 1}, {"MUG": 1})


@given(
    ordered=st.dictionaries(st.sampled_from("ABCD"), st.integers(1, 5), min_size=1),
    returned=st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 5)),
    chosen=st.lists(st.tuples(st.sampled_from("ABCDE"), st.integers(1, 5)), max_size=4),
)
def test_a_return_never_takes_back_more_than_is_left(
    ordered: dict[str, int], returned: dict[str, int], chosen: list[tuple[str, int]]
) -> None:
    try:
        lines = return_lines(chosen, ordered, returned)
    except ReturnNotAllowed:
        return
    for line in lines:
        assert 0 < line.quantity <= ordered[line.sku] - returned.get(line.sku, 0)
