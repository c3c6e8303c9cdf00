"""The promise where shoppers decide: schema.org shipping details and return policy, Merchant
Center delivery times, and the product-page widget, from the rules and learned windows the quote
answers with (``deps.published_promise()``).

Reads only: each answer is a statement (domain/promise/published.py) or a quote (the engine)
shaped for its reader, with how long it may be cached — until the next cut-off, when the
statement's offsets and the widget's dates change, and at most PUBLISHED_MAX_AGE_SECONDS, since
rules and learned windows may change meanwhile.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.promise.engine import MethodPromise, QuoteInput, quote
from chalicelib.domain.promise.merchant_center import merchant_center
from chalicelib.domain.promise.published import (
    DeliveryTimes,
    check_country,
    check_sku,
    delivery_times,
)
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.promise.sourcing import merge_items
from chalicelib.domain.promise.structured import shipping_details
from chalicelib.domain.returns import ReturnPolicy
from chalicelib.domain.returns.structured import merchant_return_policy

PUBLISHED_MAX_AGE_SECONDS = 3600


class Published(NamedTuple):
    """A document and how long a shared cache may keep it."""

    document: dict[str, Any]
    times: DeliveryTimes | None
    max_age: int


@dataclass(frozen=True, slots=True)
class PromiseWidget:
    """What the product-page widget shows: the quote's options for one product, at one instant."""

    at: datetime
    options: tuple[MethodPromise, ...]
    ships: bool  # some rule's zone holds the destination
    calendar: str  # the holidays the dates skip ("DE-BE"; "DE": the national fallback)
    national_fallback: bool
    postal_code: str
    default_language: str
    max_age: int


@dataclass(frozen=True, slots=True)
class PublishedPromise:
    config: PromiseConfig
    learned: Callable[[], LearnedLanes | None] = lambda: None
    return_policy: Callable[[], ReturnPolicy] = ReturnPolicy

    def shipping_details(
        self, country: str, postal_code: str | None, sku: str | None, at: datetime, now: datetime
    ) -> Published:
        times = self._times(country, postal_code, sku, at)
        cutoffs = (method.order_by for method in times.methods)
        return Published(shipping_details(times), times, cache_max_age(cutoffs, now))

    def merchant_center(self, country: str, at: datetime, now: datetime) -> Published:
        # Merchant Center names the cut-off's zone, not its offset: nothing changes at a cut-off.
        times = self._times(country, None, None, at)
        return Published(merchant_center(times), times, PUBLISHED_MAX_AGE_SECONDS)

    def return_policy_document(self, country: str | None, sku: str | None) -> Published:
        policy = self.return_policy()
        applies = policy.countries or tuple(sorted(self.config.rules.countries))
        if country is not None:
            check_country(self.config, country)
            if country not in applies:
                message = f"The return policy applies to {', '.join(applies)}"
                raise InvalidInput("1 field is invalid", [{"loc": ["country"], "msg": message}])
            applies = (country,)
        document = merchant_return_policy(policy, applies, self.config.rules.currency, sku)
        return Published(document, None, PUBLISHED_MAX_AGE_SECONDS)

    def widget(
        self,
        country: str,
        postal_code: str,
        sku: str,
        quantity: int,
        at: datetime,
        now: datetime,
    ) -> PromiseWidget:
        check_country(self.config, country)
        check_sku(self.config, sku)
        request = QuoteInput(
            country, postal_code, merge_items([(sku, quantity)]), at, learned=self.learned()
        )
        result = quote(self.config, request)
        destination = self.config.destination(country, postal_code)
        region = destination.region
        return PromiseWidget(
            at=at,
            options=result.options,
            ships=any(route.rule is not None for route in destination.routes),
            calendar=country if region is None else f"{country}-{region}",
            national_fallback=region is None,
            postal_code=postal_code,
            default_language=self.config.rules.default_language,
            max_age=cache_max_age((option.order_by for option in result.options), now),
        )

    def _times(
        self, country: str, postal_code: str | None, sku: str | None, at: datetime
    ) -> DeliveryTimes:
        check_country(self.config, country)
        check_sku(self.config, sku)
        return delivery_times(self.config, country, postal_code, sku, at, self.learned())


def cache_max_age(cutoffs: Iterable[datetime], now: datetime) -> int:
    """Seconds until the first cut-off, within 0..PUBLISHED_MAX_AGE_SECONDS."""
    first = min(cutoffs, default=None, key=datetime.timestamp)
    if first is None:
        return PUBLISHED_MAX_AGE_SECONDS
    seconds = math.floor((first - now).total_seconds())
    return max(0, min(PUBLISHED_MAX_AGE_SECONDS, seconds))
