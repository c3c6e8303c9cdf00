"""Delivery promise: quote a cart (stateless) and verify a promise token at order registration.

The engine works on frozen dataclasses; this module maps the API models to it and back, labels
options in the request's locale and signs each option.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from chalicelib.config.loader import load_config
from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.promise.engine import MethodPromise, QuoteInput, quote
from chalicelib.domain.promise.explain import Step
from chalicelib.domain.promise.rules import MethodRule, Money, PromiseConfig
from chalicelib.domain.promise.sourcing import merge_items
from chalicelib.domain.promise.tokens import (
    PromisedWindow,
    TokenContext,
    cart_digest,
    issue_promise_token,
    read_promise_token,
)
from chalicelib.models import promise as api

DEFAULT_TOKEN_TTL = timedelta(hours=2)
MAX_QUOTE_AGE_SECONDS = 60

__all__ = [
    "DEFAULT_TOKEN_TTL",
    "PromisedWindow",
    "QuoteAnswer",
    "QuoteService",
    "quote_body",
    "quote_cache_max_age",
    "quote_promise",
    "verify_promise_token",
]


@dataclass(frozen=True, slots=True)
class QuoteAnswer:
    """A quote as the route serves it: the answer's JSON-ready body and its cut-offs."""

    body: dict[str, Any]  # the QuoteResponse contract, as plain JSON values
    cutoffs: tuple[datetime, ...]  # each option's order_by

    def cache_max_age(self, now: datetime) -> int:
        return quote_cache_max_age(self.cutoffs, now=now)


@dataclass(frozen=True, slots=True)
class QuoteService:
    """Quotes with one container's rules and token secret (``deps.quote_service()``)."""

    config: PromiseConfig
    token_secret: str
    token_ttl: timedelta = DEFAULT_TOKEN_TTL
    learned: Callable[[], LearnedLanes | None] = lambda: None  # the container's learned lanes

    def quote(self, request: api.QuoteRequest, now: datetime) -> QuoteAnswer:
        return quote_body(
            request,
            now=now,
            token_secret=self.token_secret,
            token_ttl=self.token_ttl,
            config=self.config,
            learned=self.learned(),
        )


def quote_promise(
    request: api.QuoteRequest,
    *,
    now: datetime,
    token_secret: str,
    token_ttl: timedelta = DEFAULT_TOKEN_TTL,
    config: PromiseConfig | None = None,
) -> api.QuoteResponse:
    """Quote every method for the cart at `request.at` (default `now`), as the typed contract.

    `config` defaults to the packaged rules; pass ``load_config(document)`` to quote from an
    override document (AppConfig/SSM). Tokens expire `token_ttl` after `now`.
    """
    answer = quote_body(
        request, now=now, token_secret=token_secret, token_ttl=token_ttl, config=config
    )
    return api.QuoteResponse.model_validate(answer.body)


def quote_body(
    request: api.QuoteRequest,
    *,
    now: datetime,
    token_secret: str,
    token_ttl: timedelta = DEFAULT_TOKEN_TTL,
    config: PromiseConfig | None = None,
    learned: LearnedLanes | None = None,
) -> QuoteAnswer:
    """The same quote as ``quote_promise``, built straight as JSON values for the hot path.

    The quote sits in the product page's critical path; building and serialising a dozen
    pydantic models per answer cost more than the engine itself. ``quote_promise`` validates
    this very body against QuoteResponse, so the two cannot drift apart.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    config = config or load_config()
    at = request.at or now
    items = merge_items((item.sku, item.quantity) for item in request.items)
    destination = request.destination
    subtotal = request.subtotal
    result = quote(
        config,
        QuoteInput(
            country=destination.country,
            postal_code=destination.postal_code,
            items=items,
            at=at,
            inventory=request.inventory,
            subtotal=Money(subtotal.amount, subtotal.currency) if subtotal else None,
            explain=request.explain,
            learned=learned,
        ),
    )
    context = TokenContext(
        secret=token_secret,
        quoted_at=at,
        expires_at=now + token_ttl,
        country=destination.country,
        postal_code=destination.postal_code,
        cart=cart_digest(items),
        rules_version=config.rules.version,
    )
    body = {
        "quoted_at": at.isoformat(),
        "options": [_option(option, request, config, context) for option in result.options],
        "unavailable": [
            {"method": entry.method, "reason": entry.reason} for entry in result.unavailable
        ],
    }
    return QuoteAnswer(body, tuple(option.order_by for option in result.options))


def verify_promise_token(token: str, *, token_secret: str, now: datetime) -> PromisedWindow:
    """The promise a token records; raises InvalidToken when forged, malformed or expired."""
    return read_promise_token(token, secret=token_secret, now=now)


def quote_cache_max_age(cutoffs: Iterable[datetime], *, now: datetime) -> int:
    """Cache-Control max-age (seconds) for a GET quote: at most 60, never past a cut-off."""
    first_cutoff = min(cutoffs, default=None)
    if first_cutoff is None:
        return MAX_QUOTE_AGE_SECONDS
    seconds = math.floor((first_cutoff - now).total_seconds())
    return max(0, min(MAX_QUOTE_AGE_SECONDS, seconds))


def _option(
    promise: MethodPromise,
    request: api.QuoteRequest,
    config: PromiseConfig,
    context: TokenContext,
) -> dict[str, Any]:
    rule = promise.rule
    option: dict[str, Any] = {
        **_rule_fields(rule, request.locale, config.rules.default_language),
        "price": {"amount": str(promise.price.amount), "currency": promise.price.currency},
        "delivery": {
            "earliest": promise.earliest.isoformat(),
            "latest": promise.latest.isoformat(),
        },
        "order_by": promise.order_by.isoformat(),
        "ships_from": list(promise.ships_from),
        "parcels": len(promise.parcels),
        "promise_token": issue_promise_token(promise, context),
    }
    if request.explain:
        option["explain"] = [_step(step) for step in promise.steps]
    return option


@lru_cache(maxsize=256)
def _rule_fields(rule: MethodRule, locale: str, default_language: str) -> dict[str, str]:
    """An option's fields that depend on its rule and locale alone: built once, then copied."""
    return {
        "method": rule.method,
        "label": rule.label(locale, default_language),
        "carrier": rule.carrier,
        "service": rule.service,
    }


def _step(step: Step) -> dict[str, Any]:
    fields = {
        "step": step.step,
        "detail": step.detail,
        "date": step.date.isoformat() if step.date else None,
        "at": step.at.isoformat() if step.at else None,
        "location": step.location,
        "reason": step.reason,
    }
    return {key: value for key, value in fields.items() if value is not None}
