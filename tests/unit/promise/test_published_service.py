"""The published promise's reads: how long each answer may be cached, and what they refuse."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.returns import ReturnPolicy
from chalicelib.services.published import PUBLISHED_MAX_AGE_SECONDS, PublishedPromise

MINUTE_BEFORE = datetime.fromisoformat("2026-12-22T10:59:00+01:00")  # the store's 11:00 cut-off


def test_shipping_details_are_cached_until_the_first_cut_off(config: PromiseConfig) -> None:
    published = PublishedPromise(config).shipping_details(
        "DE", "10115", "TSHIRT-M", MINUTE_BEFORE, MINUTE_BEFORE
    )

    assert published.max_age == 60


def test_a_statement_far_from_any_cut_off_is_cached_an_hour_at_most(config: PromiseConfig) -> None:
    morning = datetime.fromisoformat("2026-12-22T06:00:00+01:00")

    published = PublishedPromise(config).shipping_details("DE", None, None, morning, morning)

    assert published.max_age == PUBLISHED_MAX_AGE_SECONDS


def test_the_widget_is_cached_until_its_first_option_s_cut_off(config: PromiseConfig) -> None:
    widget = PublishedPromise(config).widget(
        "DE", "10115", "TSHIRT-M", 1, MINUTE_BEFORE, MINUTE_BEFORE
    )

    assert widget.max_age == 60
    assert {o.rule.key for o in widget.options} >= {"same_day", "standard-de"}


def test_a_return_policy_of_configured_countries_refuses_the_others(config: PromiseConfig) -> None:
    service = PublishedPromise(config, return_policy=lambda: ReturnPolicy(14, countries=("AT",)))

    assert service.return_policy_document(None, None).document["applicableCountry"] == ["AT"]
    with pytest.raises(InvalidInput):
        service.return_policy_document("DE", None)
