"""The promise as a statement: each method's handling and transit days, cut-off and business days
for a destination, and the schema.org JSON-LD that publishes them, checked against schema.org's
published vocabulary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.promise.published import (
    DayRange,
    DeliveryTimes,
    check_country,
    check_sku,
    delivery_times,
)
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.promise.structured import shipping_details
from tests.schema_org import vocabulary

WINTER = datetime.fromisoformat("2026-12-23T16:30:00+01:00")
SUMMER = datetime.fromisoformat("2026-07-01T09:00:00+02:00")
LANE = "dhl|paket|WH-LEIPZIG|DE-10"


def methods(times: DeliveryTimes) -> dict[str, Any]:
    return {m.rule.key: m for m in times.methods}


def details(times: DeliveryTimes) -> list[dict[str, Any]]:
    document = shipping_details(times)
    assert vocabulary().problems(document) == []
    found: list[dict[str, Any]] = document["shippingDetails"]
    return found


def learned(histogram: dict[int, int], lane: str = LANE) -> LearnedLanes:
    return LearnedLanes({lane: histogram}, min_parcels=100)


def test_berlin_gets_every_method_with_its_cut_off_and_days(config: PromiseConfig) -> None:
    times = delivery_times(config, "DE", "10115", "TSHIRT-M", WINTER)

    by_key = methods(times)
    assert set(by_key) == {"same_day", "next_day", "standard-de", "economy"}
    standard = by_key["standard-de"]
    assert (standard.handling, standard.transit) == (DayRange(0, 0), DayRange(1, 2))
    assert standard.source.location.id == "WH-LEIPZIG"
    assert standard.order_by == datetime.fromisoformat("2026-12-23T17:00:00+01:00")
    assert by_key["same_day"].source.location.id == "STORE-BERLIN"
    assert times.calendar == "DE-BE" and not times.national_fallback


def test_the_json_ld_states_the_standard_method_as_a_search_engine_reads_it(
    config: PromiseConfig,
) -> None:
    times = delivery_times(config, "DE", "10115", "TSHIRT-M", WINTER)

    entry = details(times)[[m.rule.key for m in times.methods].index("standard-de")]
    assert entry["shippingRate"] == {"@type": "MonetaryAmount", "value": 4.9, "currency": "EUR"}
    assert entry["shippingDestination"] == {
        "@type": "DefinedRegion",
        "addressCountry": "DE",
        "postalCodePrefix": ["10"],
    }
    delivery = entry["deliveryTime"]
    assert delivery["handlingTime"] == {
        "@type": "QuantitativeValue", "minValue": 0, "maxValue": 0, "unitCode": "DAY",
    }  # fmt: skip
    assert (delivery["transitTime"]["minValue"], delivery["transitTime"]["maxValue"]) == (1, 2)
    assert delivery["cutoffTime"] == "17:00:00+01:00"
    assert delivery["businessDays"]["dayOfWeek"] == [
        f"https://schema.org/{day}" for day in ("Monday", "Tuesday", "Wednesday", "Thursday")
    ] + ["https://schema.org/Friday"]


def test_the_cut_off_carries_the_offset_of_its_own_day(config: PromiseConfig) -> None:
    summer = details(delivery_times(config, "DE", None, None, SUMMER))

    assert {entry["deliveryTime"]["cutoffTime"][-6:] for entry in summer} == {"+02:00"}


def test_a_product_stocked_only_in_the_warehouse_has_no_same_day(config: PromiseConfig) -> None:
    times = delivery_times(config, "DE", "10115", "HOODIE-L", WINTER)

    assert "same_day" not in methods(times)
    assert ("same_day", "out_of_stock") in times.not_offered


def test_the_price_is_the_quote_s_for_one_unit(config: PromiseConfig) -> None:
    hoodie = methods(delivery_times(config, "DE", "10115", "HOODIE-M", WINTER))
    shirt = methods(delivery_times(config, "DE", "10115", "TSHIRT-M", WINTER))

    assert str(hoodie["standard-de"].price.amount) == "0.00"  # 59.90 ≥ free_from 50.00
    assert str(shirt["standard-de"].price.amount) == "4.90"


def test_the_country_states_the_regional_method_with_its_postal_range(
    config: PromiseConfig,
) -> None:
    entries = details(delivery_times(config, "DE", None, None, WINTER))

    regions = [entry["shippingDestination"] for entry in entries]
    assert {
        "@type": "DefinedRegion",
        "addressCountry": "DE",
        "postalCodeRange": [
            {"@type": "PostalCodeRangeSpecification", "postalCodeBegin": "10000",
             "postalCodeEnd": "14199"}
        ],
    } in regions  # fmt: skip
    assert {"@type": "DefinedRegion", "addressCountry": "DE"} in regions


def test_a_postal_code_narrows_a_regional_range_to_its_lane_region(
    config: PromiseConfig,
) -> None:
    entries = details(delivery_times(config, "DE", "14055", "TSHIRT-M", WINTER))

    ranges = [e["shippingDestination"].get("postalCodeRange") for e in entries]
    assert [
        {"@type": "PostalCodeRangeSpecification", "postalCodeBegin": "14000",
         "postalCodeEnd": "14199"}
    ] in ranges  # fmt: skip


def test_a_learned_lane_states_its_window_for_its_region(config: PromiseConfig) -> None:
    lanes = learned({1: 40, 2: 50, 3: 10})  # 95 % within 1–3 days

    berlin = methods(delivery_times(config, "DE", "10115", "TSHIRT-M", WINTER, lanes))
    munich = methods(delivery_times(config, "DE", "80331", "TSHIRT-M", WINTER, lanes))

    assert berlin["standard-de"].transit == DayRange(1, 3)
    assert berlin["standard-de"].learned[0].lane == LANE
    assert munich["standard-de"].transit == DayRange(1, 2)  # no lane data: the rule


def test_the_country_statement_covers_the_rule_and_every_learned_window(
    config: PromiseConfig,
) -> None:
    lanes = LearnedLanes(
        {LANE: {1: 100}, "dhl|paket|WH-LEIPZIG|DE-80": {2: 60, 3: 30, 4: 10}},
        min_parcels=100,
    )

    times = methods(delivery_times(config, "DE", None, "TSHIRT-M", WINTER, lanes))

    assert times["standard-de"].transit == DayRange(1, 4)
    assert times["next_day"].transit == DayRange(1, 1)  # another service: not its lanes


def test_a_country_no_rule_ships_to_does_not_ship(config: PromiseConfig) -> None:
    times = delivery_times(config, "FR", None, "TSHIRT-M", WINTER)

    assert details(times) == [
        {
            "@type": "OfferShippingDetails",
            "shippingDestination": {"@type": "DefinedRegion", "addressCountry": "FR"},
            "doesNotShip": True,
        }
    ]


def test_an_unknown_postal_code_falls_back_to_the_national_calendar_and_says_so(
    config: PromiseConfig,
) -> None:
    times = delivery_times(config, "DE", "00001", "TSHIRT-M", WINTER)

    assert times.national_fallback and times.calendar == "DE"
    assert methods(times)["standard-de"].transit == DayRange(1, 2)


def test_an_unknown_country_names_the_countries_the_rules_ship_to(config: PromiseConfig) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_country(config, "XX")

    assert refused.value.errors == [
        {"loc": ["country"], "msg": "Unknown country code 'XX': the rules ship to AT, DE"}
    ]
    check_country(config, "FR")  # a real country: an answer (doesNotShip), not an error


def test_an_unknown_sku_is_refused(config: PromiseConfig) -> None:
    with pytest.raises(InvalidInput):
        check_sku(config, "NO-SUCH-SKU")
    check_sku(config, "TSHIRT-M")
    check_sku(config, None)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"@type": "OfferShippingDetail"}, "OfferShippingDetail is no current schema.org class"),
        ({"@type": "OfferShippingDetails", "shippingCost": 1}, "no current schema.org property"),
        ({"@type": "MonetaryAmount", "cutoffTime": "10:00:00"}, "not a property of"),
        ({"@type": "ShippingDeliveryTime", "cutoffTime": "10 o'clock"}, "no ISO 8601 time"),
        ({"@type": "MerchantReturnPolicy", "returnFees": "https://schema.org/FullRefund"},
         "no member of"),
        ({"@type": "QuantitativeValue", "minValue": "1"}, "not in the range"),
        ({"@type": "OfferShippingDetails", "deliveryTime": {"@type": "MonetaryAmount"}},
         "not in the range"),
    ],
)  # fmt: skip
def test_the_vocabulary_check_refuses_what_schema_org_does_not_define(
    document: dict[str, Any], problem: str
) -> None:
    problems = vocabulary().problems(document)

    assert any(problem in found for found in problems), problems
