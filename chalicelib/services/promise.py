"""Delivery promise: quote a cart (stateless) and verify a promise token at order registration.

The engine works on frozen dataclasses; this module maps the API models to it and back, labels
options in the request's locale and signs each option.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from chalicelib.config.loader import load_config
from chalicelib.domain.promise.engine import Promise, QuoteInput, quote
from chalicelib.domain.promise.explain import Step
from chalicelib.domain.promise.rules import Money, PromiseConfig
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
    "quote_cache_max_age",
    "quote_promise",
    "verify_promise_token",
]


def quote_promise(
    request: api.QuoteRequest,
    *,
    now: datetime,
    token_secret: str,
    token_ttl: timedelta = DEFAULT_TOKEN_TTL,
    config: PromiseConfig | None = None,
) -> api.QuoteResponse:
    """Quote every method for the cart at `request.at` (default `now`).

    `config` defaults to the packaged rules; pass ``load_config(document)`` to quote from an
    override document (AppConfig/SSM). Tokens expire `token_ttl` after `now`.
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
    return api.QuoteResponse(
        quoted_at=at,
        options=[_option(option, request, config, context) for option in result.options],
        unavailable=[
            api.UnavailableMethod(method=entry.method, reason=entry.reason)
            for entry in result.unavailable
        ],
    )


def verify_promise_token(token: str, *, token_secret: str, now: datetime) -> PromisedWindow:
    """The promise a token records; raises InvalidToken when forged, malformed or expired."""
    return read_promise_token(token, secret=token_secret, now=now)


def quote_cache_max_age(response: api.QuoteResponse, *, now: datetime) -> int:
    """Cache-Control max-age (seconds) for a GET quote: at most 60, never past a cut-off."""
    if not response.options:
        return MAX_QUOTE_AGE_SECONDS
    first_cutoff = min(option.order_by for option in response.options)
    seconds = math.floor((first_cutoff - now).total_seconds())
    return max(0, min(MAX_QUOTE_AGE_SECONDS, seconds))


def _option(
    promise: Promise,
    request: api.QuoteRequest,
    config: PromiseConfig,
    context: TokenContext,
) -> api.QuoteOption:
    rule = promise.rule
    # The engine's values are already valid: construct without re-validating on the hot path.
    return api.QuoteOption.model_construct(
        method=rule.method,
        label=rule.label(request.locale, config.rules.default_language),
        carrier=rule.carrier,
        service=rule.service,
        price=api.Money.model_construct(
            amount=promise.price.amount, currency=promise.price.currency
        ),
        delivery=api.DeliveryWindow.model_construct(
            earliest=promise.earliest, latest=promise.latest
        ),
        order_by=promise.order_by,
        ships_from=list(promise.ships_from),
        parcels=len(promise.parcels),
        promise_token=issue_promise_token(promise, context),
        explain=[_step(step) for step in promise.steps] if request.explain else None,
    )


def _step(step: Step) -> api.ExplainStep:
    return api.ExplainStep(
        step=step.step,
        detail=step.detail,
        date=step.date,
        at=step.at,
        location=step.location,
        reason=step.reason,
    )
