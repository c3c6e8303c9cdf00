"""Which methods are offered, from where and at what price; why the others are not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.promise.engine import MethodPromise, Quote
from chalicelib.domain.promise.rules import Money

QuoteAt = Callable[..., Quote]

WEDNESDAY_10 = "2026-12-09T10:00:00+01:00"
METHODS = ("same_day", "next_day", "standard", "economy")


def test_every_method_is_offered_or_refused_once(quote_at: QuoteAt) -> None:
    result = quote_at(WEDNESDAY_10)

    offered = [option.rule.method for option in result.options]
    refused = [entry.method for entry in result.unavailable]
    assert sorted(offered + refused) == sorted(METHODS)


@pytest.mark.parametrize(
    ("country", "postal_code", "expected"),
    [
        ("FR", "75001", dict.fromkeys(METHODS, "destination_not_served")),
        ("DE", "80331", {"same_day": "outside_zone"}),
        ("DE", "14200", {"same_day": "outside_zone"}),
        (
            "AT",
            "1010",
            {"same_day": "outside_zone", "next_day": "outside_zone", "economy": "outside_zone"},
        ),
    ],
    ids=["France: served by no method", "Munich", "just past Berlin", "Vienna"],
)
def test_destination_outside_a_zone(
    quote_at: QuoteAt, country: str, postal_code: str, expected: dict[str, str]
) -> None:
    result = quote_at(WEDNESDAY_10, country=country, postal_code=postal_code)

    assert {entry.method: entry.reason for entry in result.unavailable} == expected
    assert len(result.options) == len(METHODS) - len(expected)


@pytest.mark.parametrize("postal_code", ["10000", "10115", "14199"])
def test_same_day_covers_the_berlin_postal_range_inclusive(
    offer: Callable[..., MethodPromise], postal_code: str
) -> None:
    promise = offer("same_day", WEDNESDAY_10, postal_code=postal_code)

    assert promise.earliest == promise.latest == date(2026, 12, 9)


def test_same_day_before_the_courier_cutoff(offer: Callable[..., MethodPromise]) -> None:
    promise = offer("same_day", "2026-12-09T10:59:00+01:00")

    assert promise.ships_from == ("STORE-BERLIN",)
    assert promise.order_by.isoformat() == "2026-12-09T11:00:00+01:00"
    assert promise.price == Money(Decimal("9.90"), "EUR")


@pytest.mark.parametrize(
    "at",
    [
        "2026-12-09T11:00:00+01:00",  # exactly at the cut-off
        "2026-12-09T15:00:00+01:00",
        "2026-12-06T10:00:00+01:00",  # Sunday: the store is closed today
        "2027-03-08T10:00:00+01:00",  # Frauentag: a Berlin holiday
        "2026-12-25T10:00:00+01:00",  # Christmas
    ],
)
def test_same_day_is_refused_once_todays_cutoff_is_gone(
    refusal: Callable[..., str], at: str
) -> None:
    assert refusal("same_day", at) == "cutoff_passed"


def test_same_day_on_buss_und_bettag_ships_from_the_open_berlin_store(
    offer: Callable[..., MethodPromise],
) -> None:
    promise = offer("same_day", "2026-11-18T10:00:00+01:00")

    assert promise.earliest == date(2026, 11, 18)


def test_same_day_on_reformationstag_saturday(offer: Callable[..., MethodPromise]) -> None:
    promise = offer("same_day", "2026-10-31T10:00:00+01:00")

    assert promise.earliest == date(2026, 10, 31)


def test_sku_not_sold_in_store_has_no_same_day(refusal: Callable[..., str]) -> None:
    assert refusal("same_day", WEDNESDAY_10, items=(("HOODIE-L", 1),)) == "out_of_stock"


def test_unknown_sku_without_inventory_is_out_of_stock_everywhere(quote_at: QuoteAt) -> None:
    result = quote_at(WEDNESDAY_10, items=(("TSHIRT-M", 1), ("NOT-IN-CATALOGUE", 1)))

    assert result.options == ()
    assert {entry.reason for entry in result.unavailable} == {"out_of_stock"}


def test_unknown_sku_is_stocked_where_the_inventory_says(
    offer: Callable[..., MethodPromise],
) -> None:
    promise = offer(
        "standard",
        WEDNESDAY_10,
        items=(("NEW-SKU", 1),),
        inventory={"NEW-SKU": {"STORE-BERLIN": 1}},
    )

    assert promise.ships_from == ("STORE-BERLIN",)


def test_inventory_replaces_the_default_stock_of_the_skus_it_names(
    quote_at: QuoteAt,
) -> None:
    result = quote_at(
        WEDNESDAY_10,
        items=(("TSHIRT-M", 3), ("MUG-LOGO", 1)),
        inventory={"TSHIRT-M": {"WH-LEIPZIG": 40, "STORE-BERLIN": 2}},
    )

    reasons = {entry.method: entry.reason for entry in result.unavailable}
    assert reasons == {"same_day": "out_of_stock"}  # 3 shirts, the store has 2
    standard = next(o for o in result.options if o.rule.method == "standard")
    assert standard.ships_from == ("WH-LEIPZIG",)


def test_first_eligible_location_with_enough_stock_ships(
    offer: Callable[..., MethodPromise],
) -> None:
    inventory = {"TSHIRT-M": {"WH-LEIPZIG": 1, "STORE-BERLIN": 5}}

    assert offer("standard", WEDNESDAY_10, inventory=inventory).ships_from == ("WH-LEIPZIG",)
    split = offer("standard", WEDNESDAY_10, items=(("TSHIRT-M", 2),), inventory=inventory)
    assert split.ships_from == ("STORE-BERLIN",)


def test_items_from_two_locations_make_two_parcels_and_the_latest_dates(
    offer: Callable[..., MethodPromise],
) -> None:
    # Given a shirt only the store has and a mug from Leipzig, ordered after the store's 16:00
    promise = offer(
        "standard",
        "2026-12-23T16:30:00+01:00",
        items=(("MUG-LOGO", 1), ("TSHIRT-M", 1)),
        inventory={"TSHIRT-M": {"WH-LEIPZIG": 0, "STORE-BERLIN": 3}},
    )

    # Then Leipzig ships on the 23rd (24–28), the store on the 24th (28–29)
    assert promise.ships_from == ("WH-LEIPZIG", "STORE-BERLIN")
    assert [parcel.items for parcel in promise.parcels] == [
        (("MUG-LOGO", 1),),
        (("TSHIRT-M", 1),),
    ]
    assert [parcel.ship_day for parcel in promise.parcels] == [
        date(2026, 12, 23),
        date(2026, 12, 24),
    ]
    assert (promise.earliest, promise.latest) == (date(2026, 12, 28), date(2026, 12, 29))
    # And the promise changes at the first parcel cut-off still ahead
    assert promise.order_by.isoformat() == "2026-12-23T17:00:00+01:00"


def test_split_is_refused_when_one_item_is_short_everywhere(refusal: Callable[..., str]) -> None:
    inventory = {"TSHIRT-M": {"WH-LEIPZIG": 0, "STORE-BERLIN": 0}}

    assert refusal("standard", WEDNESDAY_10, inventory=inventory) == "out_of_stock"


@pytest.mark.parametrize(
    ("subtotal", "items", "expected"),
    [
        (Money(Decimal("49.99"), "EUR"), (("TSHIRT-M", 1),), "4.90"),
        (Money(Decimal("50.00"), "EUR"), (("TSHIRT-M", 1),), "0.00"),
        (Money(Decimal("20.00"), "EUR"), (("TSHIRT-M", 2),), "4.90"),  # request's subtotal wins
        (Money(Decimal("500.00"), "USD"), (("TSHIRT-M", 1),), "4.90"),  # other currency
        (None, (("TSHIRT-M", 1),), "4.90"),  # catalogue: 29.90
        (None, (("TSHIRT-M", 2),), "0.00"),  # catalogue: 59.80
        (None, (("TSHIRT-M", 2), ("NEW-SKU", 1)), "4.90"),  # value unknown
    ],
)
def test_standard_is_free_from_fifty_euros(
    offer: Callable[..., MethodPromise],
    subtotal: Money | None,
    items: tuple[tuple[str, int], ...],
    expected: str,
) -> None:
    inventory = {"NEW-SKU": {"WH-LEIPZIG": 5}}

    promise = offer("standard", WEDNESDAY_10, items=items, subtotal=subtotal, inventory=inventory)

    assert promise.price == Money(Decimal(expected), "EUR")


def test_only_standard_has_a_free_shipping_threshold(offer: Callable[..., MethodPromise]) -> None:
    big = Money(Decimal("1000.00"), "EUR")

    assert offer("next_day", WEDNESDAY_10, subtotal=big).price.amount == Decimal("7.90")
    assert offer("economy", WEDNESDAY_10, subtotal=big).price.amount == Decimal("0.00")


def test_options_are_sorted_by_earliest_delivery_then_price(quote_at: QuoteAt) -> None:
    result = quote_at("2026-12-23T16:30:00+01:00")

    # standard arrives first; economy and next_day both on the 29th, the cheaper first
    assert [option.rule.method for option in result.options] == [
        "standard",
        "economy",
        "next_day",
    ]
    keys = [(option.earliest, option.price.amount) for option in result.options]
    assert keys == sorted(keys)


def test_same_day_sorts_first_and_equal_dates_go_by_price(quote_at: QuoteAt) -> None:
    result = quote_at(WEDNESDAY_10)

    # next_day (7.90) and standard (4.90) both start on the 10th: the cheaper first
    assert [option.rule.method for option in result.options] == [
        "same_day",
        "standard",
        "next_day",
        "economy",
    ]


def test_repeated_skus_are_counted_together(quote_at: QuoteAt) -> None:
    result = quote_at(
        WEDNESDAY_10,
        items=(("TSHIRT-M", 2), ("TSHIRT-M", 1)),
        inventory={"TSHIRT-M": {"WH-LEIPZIG": 10, "STORE-BERLIN": 2}},
    )

    assert {entry.method: entry.reason for entry in result.unavailable} == {
        "same_day": "out_of_stock"
    }


def test_naive_order_instant_is_rejected(quote_at: QuoteAt) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        quote_at("2026-12-09T10:00:00")
