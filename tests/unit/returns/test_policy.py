"""The return policy: window per delivered parcel, non-returnable SKUs, remaining quantities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import ReturnNotAllowed
from chalicelib.domain.returns import (
    DeliveredParcel,
    OrderForReturn,
    Refusal,
    ReturnableSku,
    ReturnLine,
    ReturnPolicy,
    ReturnRefused,
    check_exchange,
    check_request,
    remaining,
    returnable,
)

DELIVERED = datetime(2026, 12, 23, 14, 0, tzinfo=UTC)
POLICY = ReturnPolicy(window_days=30, non_returnable=frozenset({"GIFTCARD"}))


def order(
    parcels: tuple[DeliveredParcel, ...] = (
        DeliveredParcel(DELIVERED, {"TSHIRT-M": 2, "GIFTCARD": 1}),
    ),
    returned: dict[str, int] | None = None,
) -> OrderForReturn:
    return OrderForReturn(
        ordered={"TSHIRT-M": 2, "MUG-BLUE": 1, "GIFTCARD": 1},
        delivered=parcels,
        returned=returned or {},
    )


def refusal(lines: list[ReturnLine], for_order: OrderForReturn, now: datetime) -> list[object]:
    with pytest.raises(ReturnNotAllowed) as caught:
        check_request(POLICY, for_order, lines, now)
    return [(e["loc"], e["msg"]) for e in caught.value.errors]


def test_delivered_items_within_the_window_may_go_back() -> None:
    check_request(POLICY, order(), [ReturnLine("TSHIRT-M", 2, "too_small")], DELIVERED)


def test_the_last_moment_of_the_window_still_counts_and_the_next_does_not() -> None:
    last = DELIVERED + timedelta(days=30)
    line = [ReturnLine("TSHIRT-M", 1, "too_small")]

    check_request(POLICY, order(), line, last)
    assert refusal(line, order(), last + timedelta(seconds=1)) == [
        (["items", 0, "sku"], "the 30-day return window for TSHIRT-M has closed")
    ]


@pytest.mark.parametrize(
    ("line", "loc", "msg"),
    [
        (ReturnLine("HAT", 1, "other", "x"), ["items", 0, "sku"], "HAT is not part of this order"),
        (
            ReturnLine("GIFTCARD", 1, "changed_mind"),
            ["items", 0, "sku"],
            "GIFTCARD cannot be returned",
        ),
        (
            ReturnLine("MUG-BLUE", 1, "damaged"),
            ["items", 0, "sku"],
            "MUG-BLUE has not been delivered yet",
        ),
        (
            ReturnLine("TSHIRT-M", 3, "too_large"),
            ["items", 0, "quantity"],
            "only 2 of TSHIRT-M can still be returned",
        ),
    ],
)
def test_each_refusal_names_the_line_and_why(line: ReturnLine, loc: list[object], msg: str) -> None:
    assert refusal([line], order(), DELIVERED) == [(loc, msg)]


def test_earlier_returns_and_repeated_lines_count_against_what_remains() -> None:
    lines = [ReturnLine("TSHIRT-M", 1, "too_small"), ReturnLine("TSHIRT-M", 1, "too_large")]

    assert refusal(lines, order(returned={"TSHIRT-M": 1}), DELIVERED) == [
        (["items", 1, "quantity"], "only 1 of TSHIRT-M can still be returned")
    ]


def test_the_window_runs_from_the_delivery_of_the_parcel_that_carried_the_item() -> None:
    split = (
        DeliveredParcel(DELIVERED, {"TSHIRT-M": 1}),
        DeliveredParcel(DELIVERED + timedelta(days=10), {"TSHIRT-M": 1}),
    )
    later = DELIVERED + timedelta(days=35)

    assert remaining(POLICY, order(split), "TSHIRT-M", later) == 1
    assert remaining(POLICY, order(split), "TSHIRT-M", DELIVERED + timedelta(days=41)) == 0


@given(
    delivered=st.lists(st.integers(0, 5), min_size=1, max_size=3),
    returned=st.integers(0, 15),
    age_days=st.integers(0, 60),
)
def test_remaining_never_exceeds_delivered_minus_returned_nor_goes_negative(
    delivered: list[int], returned: int, age_days: int
) -> None:
    parcels = tuple(
        DeliveredParcel(DELIVERED + timedelta(days=5 * n), {"TSHIRT-M": q})
        for n, q in enumerate(delivered)
    )
    left = remaining(
        POLICY,
        order(parcels, {"TSHIRT-M": returned}),
        "TSHIRT-M",
        DELIVERED + timedelta(days=age_days),
    )

    assert 0 <= left <= max(0, sum(delivered) - returned)


def test_each_refusal_carries_its_reason_as_a_value_for_the_customers_pages() -> None:
    lines = [
        ReturnLine("HAT", 1, "other", "x"),
        ReturnLine("GIFTCARD", 1, "changed_mind"),
        ReturnLine("MUG-BLUE", 1, "damaged"),
        ReturnLine("TSHIRT-M", 3, "too_large"),
    ]

    with pytest.raises(ReturnRefused) as caught:
        check_request(POLICY, order(), lines, DELIVERED)

    assert caught.value.refusals == (
        Refusal(0, "HAT", "not_in_order"),
        Refusal(1, "GIFTCARD", "not_returnable"),
        Refusal(2, "MUG-BLUE", "not_delivered"),
        Refusal(3, "TSHIRT-M", "too_many", left=2),
    )


def test_the_return_form_sees_each_sku_as_the_policy_judges_a_single_item() -> None:
    # Given a split order: two T-shirts delivered, one already on its way back; the mug not yet
    the_order = order(returned={"TSHIRT-M": 1})

    # When the form asks what may still go back, a day after the delivery
    skus = {s.sku: s for s in returnable(POLICY, the_order, DELIVERED + timedelta(days=1))}

    # Then each SKU says how many and until when, or why not
    until = DELIVERED + timedelta(days=30)
    assert skus["TSHIRT-M"] == ReturnableSku("TSHIRT-M", 2, 1, until, None)
    assert skus["MUG-BLUE"] == ReturnableSku("MUG-BLUE", 1, 0, None, "not_delivered")
    assert (skus["GIFTCARD"].left, skus["GIFTCARD"].refusal) == (0, "not_returnable")


@pytest.mark.parametrize(
    ("returned", "days_after", "refusal"),
    [(0, 31, "window_closed"), (2, 1, "too_many"), (0, 30, None)],
)
def test_a_sku_with_nothing_left_says_whether_the_window_closed_or_all_went_back(
    returned: int, days_after: int, refusal: str | None
) -> None:
    now = DELIVERED + timedelta(days=days_after)

    (shirt,) = [s for s in returnable(POLICY, order(returned={"TSHIRT-M": returned}), now)
                if s.sku == "TSHIRT-M"]  # fmt: skip

    assert shirt.refusal == refusal
    assert (shirt.left > 0) == (refusal is None)


def an_order_offering(exchangeable: dict[str, frozenset[str]]) -> OrderForReturn:
    return OrderForReturn(
        ordered={"TSHIRT-M": 2, "MUG-BLUE": 1},
        delivered=(DeliveredParcel(DELIVERED, {"TSHIRT-M": 2, "MUG-BLUE": 1}),),
        returned={},
        exchangeable=exchangeable,
    )


@pytest.mark.parametrize(
    ("sku", "wanted", "allowed"),
    [
        ("TSHIRT-M", "TSHIRT-L", True),  # offered
        ("TSHIRT-M", "TSHIRT-M", False),  # the merchant named what it offers: not the same
        ("TSHIRT-M", "LUXURY-WATCH-9000", False),
        ("MUG-BLUE", "MUG-BLUE", True),  # nothing offered: the same SKU only
        ("MUG-BLUE", "MUG-RED", False),
    ],
)
def test_an_exchange_asks_for_a_sku_the_merchant_offers_for_the_item_or_else_the_same(
    sku: str, wanted: str, allowed: bool
) -> None:
    order = an_order_offering({"TSHIRT-M": frozenset({"TSHIRT-S", "TSHIRT-L"})})
    lines = [ReturnLine(sku, 1, "too_small")]

    if allowed:
        check_exchange(order, lines, wanted)
    else:
        with pytest.raises(ReturnNotAllowed) as caught:
            check_exchange(order, lines, wanted)
        assert caught.value.errors == [
            {"loc": ["exchange_sku"], "msg": f"{wanted} is not offered in exchange for {sku}"}
        ]


def test_an_exchange_for_several_items_must_be_offered_for_each() -> None:
    order = an_order_offering({"TSHIRT-M": frozenset({"MUG-BLUE"})})
    lines = [ReturnLine("TSHIRT-M", 1, "too_small"), ReturnLine("MUG-BLUE", 1, "damaged")]

    check_exchange(order, lines, "MUG-BLUE")
    with pytest.raises(ReturnNotAllowed, match="TSHIRT-L is not offered in exchange for "
                       "MUG-BLUE, TSHIRT-M"):  # fmt: skip
        check_exchange(order, lines, "TSHIRT-L")
