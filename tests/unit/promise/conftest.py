"""Fixtures for the promise engine: the packaged rules and small quoting helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pytest

from chalicelib.config.loader import load_config
from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.promise.engine import MethodPromise, Quote, QuoteInput, quote
from chalicelib.domain.promise.rules import Money, PromiseConfig
from chalicelib.domain.promise.sourcing import merge_items

QuoteAt = Callable[..., Quote]


@pytest.fixture(scope="session")
def config() -> PromiseConfig:
    return load_config()


@pytest.fixture(scope="session")
def quote_at(config: PromiseConfig) -> QuoteAt:
    """Quote `items` (default one TSHIRT-M) to Berlin 10115 at the ISO instant `at`."""

    def run(
        at: str | datetime,
        *,
        items: tuple[tuple[str, int], ...] = (("TSHIRT-M", 1),),
        country: str = "DE",
        postal_code: str = "10115",
        inventory: Mapping[str, Mapping[str, int]] | None = None,
        subtotal: Money | None = None,
        explain: bool = False,
        rules: PromiseConfig | None = None,
        learned: LearnedLanes | None = None,
    ) -> Quote:
        instant = datetime.fromisoformat(at) if isinstance(at, str) else at
        request = QuoteInput(
            country, postal_code, merge_items(items), instant, inventory, subtotal, explain, learned
        )
        return quote(rules or config, request)

    return run


@pytest.fixture(scope="session")
def offer(quote_at: QuoteAt) -> Callable[..., MethodPromise]:
    """The option of one method; fails the test when that method is not offered."""

    def run(method: str, at: str | datetime, **kwargs: Any) -> MethodPromise:
        result = quote_at(at, **kwargs)
        found = [option for option in result.options if option.rule.method == method]
        assert found, f"{method} not offered: {result.unavailable}"
        return found[0]

    return run


@pytest.fixture(scope="session")
def refusal(quote_at: QuoteAt) -> Callable[..., str]:
    """The reason a method is unavailable; fails the test when it is offered."""

    def run(method: str, at: str | datetime, **kwargs: Any) -> str:
        result = quote_at(at, **kwargs)
        reasons = [entry.reason for entry in result.unavailable if entry.method == method]
        assert reasons, f"{method} unexpectedly offered"
        return reasons[0]

    return run
