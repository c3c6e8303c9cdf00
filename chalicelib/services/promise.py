"""Delivery promise: quote a cart (stateless) and verify a promise token at order registration.

The engine works on frozen dataclasses; this module maps the API models to it and back, labels
options in the request's locale (when they arrive, from their dates as seen on the quote's day in
the destination's zone: ``promise.labels``) and signs each option.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pydantic_core import to_json

from chalicelib.config.loader import load_config
from chalicelib.domain.accuracy.learned import LearnedLanes
from chalicelib.domain.promise.engine import MethodPromise, QuoteInput, Unavailable, quote
from chalicelib.domain.promise.explain import Step
from chalicelib.domain.promise.labels import option_label
from chalicelib.domain.promise.rules import Money, PromiseConfig
from chalicelib.domain.promise.sourcing import merge_items
from chalicelib.domain.promise.tokens import (
    OptionText,
    PromisedWindow,
    merged_cart_digest,
    promise_token_parts,
    quote_claims,
    read_promise_token,
    write_option,
)
from chalicelib.domain.signing import SignedStart
from chalicelib.domain.time_zones import country_time_zone
from chalicelib.models import promise as api

DEFAULT_TOKEN_TTL = timedelta(hours=2)
MAX_QUOTE_AGE_SECONDS = 60
# Promise tokens are signed only for a quote of the present: an ``at`` this close to the
# server's clock (storefront clocks drift). A quote for another instant answers its dates
# without tokens: a token for the morning's cut-off, signed in the evening, would be a promise
# the shop cannot keep.
SIGNED_AT_TOLERANCE = timedelta(minutes=5)
_TOKEN_MEMBER = ',"promise_token":"'  # how an option's opening (write_option_text) ends
_WITHHELD = (
    ',"tokens_withheld":'
    + to_json(
        {
            "reason": "quoted_for_another_instant",
            "detail": "Promise tokens are signed only for a quote whose at lies within "
            f"{int(SIGNED_AT_TOLERANCE.total_seconds() // 60)} minutes of the server's clock: "
            "quote the present (no at) for a token to order with",
        }
    ).decode()
)

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


class QuoteAnswer(NamedTuple):
    """A quote as the route serves it: the answer's JSON text, and its options for the GET's
    cache lifetime (each option's cut-off). A named tuple, as the engine's per-quote values."""

    body: str  # the QuoteResponse contract, serialised
    options: tuple[MethodPromise, ...]

    def cache_max_age(self, now: datetime) -> int:
        return quote_cache_max_age((option.order_by for option in self.options), now=now)


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
    return api.QuoteResponse.model_validate_json(answer.body)


def quote_body(
    request: api.QuoteRequest,
    *,
    now: datetime,
    token_secret: str,
    token_ttl: timedelta = DEFAULT_TOKEN_TTL,
    config: PromiseConfig | None = None,
    learned: LearnedLanes | None = None,
) -> QuoteAnswer:
    """The same quote as ``quote_promise``, written straight as JSON text for the hot path.

    The quote sits in the product page's critical path; building and serialising a dozen
    pydantic models per answer cost more than the engine itself, and so did building plain
    dicts for a generic serialiser. The text is pydantic_core's serialisation of the same
    values (fragments that depend on the rules alone are serialised once), and
    ``quote_promise`` validates this very text against QuoteResponse, so the two cannot drift.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    config = config or load_config()
    at = request.at or now
    items = merge_items([(item.sku, item.quantity) for item in request.items])
    destination = request.destination
    subtotal = request.subtotal
    result = quote(
        config,
        QuoteInput(  # by position: a named tuple's keywords cost twice its positions
            destination.country,
            destination.postal_code,
            items,
            at,
            request.inventory,
            Money(subtotal.amount, subtotal.currency) if subtotal else None,
            request.explain,
            learned,
        ),
    )
    quoted_at = at.isoformat()
    claims = None
    if abs(at - now) <= SIGNED_AT_TOLERANCE:
        claims = quote_claims(
            token_secret,
            quoted_at,
            int((now + token_ttl).timestamp()),
            destination.country,
            destination.postal_code,
            merged_cart_digest(items),
            config.rules.version,
        )
    # The answer's pieces, joined once: each option's text and token parts are copied once,
    # into the answer, rather than into a token, then an option, then the option list.
    today = destination_day(at, destination.country)
    pieces = ['{"quoted_at":"', quoted_at, '","options":[']
    _write_options(pieces, result.options, request, config.rules.default_language, today, claims)
    if result.options:
        pieces[-1] = pieces[-1][:-1]  # no comma after the last option
    closing = _closing(result.unavailable)
    pieces.append(closing if claims is not None else f"{closing[:-1]}{_WITHHELD}}}")
    return QuoteAnswer("".join(pieces), result.options)


def _write_options(
    pieces: list[str],
    options: tuple[MethodPromise, ...],
    request: api.QuoteRequest,
    language: str,
    today: date,
    claims: SignedStart | None,
) -> None:
    """Each option's text, and its token signed after the quote's ``claims`` (None: tokens
    withheld, the option ends before its token)."""
    for option in options:
        opening, text = option_text(option, request.locale, language, today)
        if claims is None:
            pieces.append(opening[: -len(_TOKEN_MEMBER)])
            pieces.append(f"{_explained(option)}}}," if request.explain else "},")
            continue
        pieces.append(opening)
        pieces += promise_token_parts(text, claims)
        pieces.append(f'"{_explained(option)}}},' if request.explain else '"},')


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


def _explained(promise: MethodPromise) -> str:
    return f',"explain":{_json([_step(step) for step in promise.steps])}'


class OptionAnswer(NamedTuple):
    opening: str  # the option's members up to its token's text: '{"method":..., "promise_token":"'
    text: OptionText  # its dates, locations and price, and its own token claims


def destination_day(at: datetime, country: str) -> date:
    """The day it is at ``at`` where the parcel goes: what an option's label counts from."""
    return at.astimezone(ZoneInfo(country_time_zone(country))).date()  # ZoneInfo keeps its own


def option_text(promise: MethodPromise, locale: str, language: str, today: date) -> OptionAnswer:
    """An option as the answer writes it, but for its token: kept per value. A container
    quotes a handful of methods, days, cut-offs and prices, and every quote of the day that
    gives an option the same values writes the same text, whatever the cart. The key holds
    every value the text is made of (the rule by identity; the cut-off's zone and fold, as
    equal instants in other zones or folds are written differently; the destination's day,
    which the label counts from)."""
    order_by, price = promise.order_by, promise.price
    key = (
        promise.rule, locale, language, promise.earliest, promise.latest, order_by,
        order_by.tzinfo, order_by.fold, promise.ships_from, price.amount, price.currency, today,
    )  # fmt: skip
    found = _WRITTEN.get(key)
    if found is None:
        if len(_WRITTEN) >= OPTIONS_KEPT:
            _WRITTEN.clear()
        found = _WRITTEN[key] = write_option_text(promise, locale, language, today)
    return found


def write_option_text(
    promise: MethodPromise, locale: str, language: str, today: date
) -> OptionAnswer:
    """``option_text``, written afresh."""
    text = write_option(promise)
    # Members in QuoteOption's order; the strings written raw are ISO dates, decimal amounts,
    # base64url and the rules' ASCII ids (currency included), which JSON does not escape.
    opening = (
        f"{_rule_fields(promise, locale, language, today)},"
        f'"price":{text.price},'
        f'"delivery":{{"earliest":"{text.earliest}","latest":"{text.latest}"}},'
        f'"order_by":"{text.order_by}","ships_from":{text.ships_from},'
        f'"parcels":{len(promise.parcels)},"promise_token":"'
    )
    return OptionAnswer(opening, text)


OPTIONS_KEPT = 1024  # distinct options (per locale); then the table starts afresh
_WRITTEN: dict[tuple[object, ...], OptionAnswer] = {}


def _rule_fields(promise: MethodPromise, locale: str, default_language: str, today: date) -> str:
    """An option's opening members: its rule's, and the label in the locale for its dates."""
    rule = promise.rule
    language, name = rule.named(locale, default_language)
    fields = {
        "method": rule.method,
        "label": option_label(name, language, promise.earliest, promise.latest, today),
        "carrier": rule.carrier,
        "service": rule.service,
    }
    return _json(fields)[:-1]


@lru_cache(maxsize=64)
def _closing(unavailable: tuple[Unavailable, ...]) -> str:
    """The answer's end, from its last option on: the methods not offered, and why. A few
    combinations per destination: written once each."""
    entries = ",".join([_json({"method": e.method, "reason": e.reason}) for e in unavailable])
    return f'],"unavailable":[{entries}]}}'


def _json(value: Any) -> str:
    return to_json(value).decode()


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
