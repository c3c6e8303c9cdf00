"""Merchant Center delivery times: each service parses as the Merchant API's own ``Service``
message (google-shopping-merchant-accounts, pinned), field for field, and states the figures the
structured data states."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from google.protobuf.json_format import ParseError
from google.shopping.merchant_accounts_v1.types import shippingsettings as merchant_api

from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.promise.merchant_center import merchant_center
from chalicelib.domain.promise.published import delivery_times
from chalicelib.domain.promise.rules import PromiseConfig

WINTER = datetime.fromisoformat("2026-12-23T16:30:00+01:00")


def parsed(service: dict[str, Any]) -> merchant_api.Service:
    """The Merchant API's message for `service`; an unknown field name is a ParseError."""
    message: merchant_api.Service = merchant_api.Service.from_json(json.dumps(service))
    return message


def answer(config: PromiseConfig, country: str = "DE", **kwargs: Any) -> dict[str, Any]:
    return merchant_center(delivery_times(config, country, None, None, WINTER, **kwargs))


def test_every_service_is_a_merchant_api_service_with_nothing_left_over(
    config: PromiseConfig,
) -> None:
    for country in ("DE", "AT"):
        for service in answer(config, country)["services"]:
            message = parsed(service)

            # Written back in the API's JSON form, the message is the service as answered.
            written = merchant_api.Service.to_json(
                message, use_integers_for_enums=False, always_print_fields_with_no_presence=False
            )
            assert json.loads(written) == service


def test_a_misspelled_field_is_refused_by_the_merchant_api_messages(
    config: PromiseConfig,
) -> None:
    service = answer(config)["services"][0]
    service["deliveryTime"]["minHandlingDay"] = 0

    with pytest.raises(ParseError):
        parsed(service)


def test_the_standard_service_states_the_rule_s_days_cut_off_and_rate(
    config: PromiseConfig,
) -> None:
    services = {s["serviceName"]: parsed(s) for s in answer(config)["services"]}

    standard = services["standard-de"]
    time = standard.delivery_time
    assert list(standard.delivery_countries) == ["DE"] and standard.active
    assert (time.min_handling_days, time.max_handling_days) == (0, 0)
    assert (time.min_transit_days, time.max_transit_days) == (1, 2)
    assert (time.cutoff_time.hour, time.cutoff_time.minute) == (17, 0)
    assert time.cutoff_time.time_zone == "Europe/Berlin"
    weekday = merchant_api.BusinessDayConfig.Weekday
    assert list(time.handling_business_day_config.business_days) == [
        weekday.MONDAY, weekday.TUESDAY, weekday.WEDNESDAY, weekday.THURSDAY, weekday.FRIDAY,
    ]  # fmt: skip
    assert weekday.SATURDAY in time.transit_business_day_config.business_days
    # Free from 50.00: 4.90 up to 49.99, nothing above.
    table = standard.rate_groups[0].main_table
    assert [p.amount_micros for p in table.row_headers.prices] == [49_990_000, -1]
    assert [row.cells[0].flat_rate.amount_micros for row in table.rows] == [4_900_000, 0]
    economy = services["economy"]
    assert economy.rate_groups[0].single_value.flat_rate.amount_micros == 0


def test_a_regional_method_is_listed_apart_with_its_postal_ranges(config: PromiseConfig) -> None:
    found = answer(config)

    assert "same_day" not in {s["serviceName"] for s in found["services"]}
    assert found["regional"] == [
        {"method": "same_day", "service_name": "same_day", "postal_codes": ["10000-14199"]}
    ]


def test_learned_windows_widen_the_country_s_transit_days(config: PromiseConfig) -> None:
    lanes = LearnedLanes({"dhl|paket|WH-LEIPZIG|DE-80": {2: 50, 3: 50}}, min_parcels=100)

    services = {s["serviceName"]: parsed(s) for s in answer(config, learned=lanes)["services"]}

    time = services["standard-de"].delivery_time
    assert (time.min_transit_days, time.max_transit_days) == (1, 3)


def test_a_country_no_rule_ships_to_has_no_services(config: PromiseConfig) -> None:
    assert answer(config, "FR") == {"country": "FR", "services": [], "regional": []}
