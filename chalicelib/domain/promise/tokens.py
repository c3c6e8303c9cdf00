"""Promise tokens: a signed, self-contained record of one quoted option (purpose "promise").

Registering an order later needs no stored quote: the token carries the method, the dates, the
destination and a digest of the cart, and it expires a configurable time after the quote.

Tokens are signed with the token secret's promise key (``token_keys.purpose_key``), so no other
kind of token verifies as one. Tokens signed with the secret itself, before there were
per-purpose keys, are read until they expire (the token lifetime, two hours by default).

Claims, version 2: every option of every quote carries a token, so the names are short (version
1 spelled them out, in 430 bytes against 330; its tokens are still read until they expire). The
quote's own claims come first, then the option's (a few spaces may part them)::

    p  "promise"     v  2            q  quoted_at     exp expiry (unix seconds)
    d  country       z  postal code  k  cart digest   rv rules version
    m  method        r  rule key     c  carrier       s  service       e  earliest
    l  latest        o  order_by     f  ships_from    n  parcels       pr price
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from chalicelib.domain.errors import InvalidToken
from chalicelib.domain.promise.engine import MethodPromise
from chalicelib.domain.promise.rules import MethodRule, Money
from chalicelib.domain.promise.sourcing import Items, merge_items
from chalicelib.domain.signing import (
    SignedStart,
    encode_rest,
    signed_start,
    token_parts,
    verify_token_with,
)
from chalicelib.domain.token_keys import PROMISE, purpose_key

PURPOSE = PROMISE
CLAIMS_VERSION = 2
# An order may be placed this long after its token's order_by (the checkout's payment steps);
# later, the cut-off the promise was made for had passed and the token is refused.
ORDER_BY_GRACE = timedelta(minutes=15)


def quote_claims(
    secret: str,
    quoted_at: str,  # ISO 8601, as the answer's quoted_at
    expires: int,  # unix seconds
    country: str,
    postal_code: str,
    cart: str,  # merged_cart_digest of the quoted items: hex, which JSON does not escape
    rules_version: str,
) -> SignedStart:
    """What every option of one quote shares: the claims of the quote itself (when, until when,
    where to, which cart, which rules), which open every option's token. They are written,
    encoded and hashed once per quote (``signing.signed_start``), not once per option."""
    # The caller's other strings go through json.dumps (escaping). The cart's digest is new
    # for most carts: a cache of its JSON text would miss and grow.
    claims = (
        f'{_OPENING}"q":"{quoted_at}","exp":{expires},"d":{_text(country)},'
        f'"z":{_text(postal_code)},"k":"{cart}","rv":{_text(rules_version)},'
    )
    return signed_start(purpose_key(secret, PROMISE), claims)


@dataclass(frozen=True, slots=True)
class PromisedWindow:
    """A verified promise, as an order registration needs it."""

    method: str
    rule: str
    carrier: str
    service: str
    earliest: date
    latest: date
    order_by: datetime
    quoted_at: datetime
    expires_at: datetime
    ships_from: tuple[str, ...]
    parcels: int
    price: Money
    country: str
    postal_code: str
    cart: str
    rules_version: str

    def matches(self, country: str, postal_code: str, items: Iterable[tuple[str, int]]) -> bool:
        """True when an order goes to the quoted destination with the quoted cart."""
        same_cart = hmac.compare_digest(cart_digest(items), self.cart)
        return same_cart and (country, postal_code) == (self.country, self.postal_code)

    def holds_for(self, placed_at: datetime) -> bool:
        """True when an order placed at ``placed_at`` was placed before the promise's cut-off
        (``order_by``), or within ORDER_BY_GRACE after it."""
        return placed_at <= self.order_by + ORDER_BY_GRACE


def cart_digest(items: Iterable[tuple[str, int]]) -> str:
    """Order-independent digest of (sku, quantity) lines; repeated SKUs are added up."""
    return merged_cart_digest(merge_items(items))


def merged_cart_digest(items: Items) -> str:
    """``cart_digest`` of lines already merged to one per SKU (the quote has merged them)."""
    canonical = ";".join([f"{sku}:{quantity}" for sku, quantity in sorted(items)])
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def promise_token_parts(option: OptionText, quote: SignedStart) -> tuple[str, str, str, str]:
    """An option's token, in the parts that joined make it: the quote's claims
    (``quote_claims``), then the option's own (``write_option``), signed. A writer joins a
    whole answer at once, so each token's text is copied once, into the answer."""
    return token_parts(quote, option.claims, option.claims_base64)


class OptionText(NamedTuple):
    """An option as its answer and its token write it (``write_option``)."""

    earliest: str  # ISO 8601
    latest: str
    order_by: str
    ships_from: str  # JSON list
    price: str  # JSON object (``price_json``)
    claims: bytes  # the option's own token claims, UTF-8, which follow the quote's
    claims_base64: str  # their URL-safe base64, no padding


def write_option(promise: MethodPromise) -> OptionText:
    """The option's dates, locations and price as JSON text, and its own token claims."""
    earliest, latest = promise.earliest.isoformat(), promise.latest.isoformat()
    order_by = promise.order_by.isoformat()
    ships_from, price = locations_json(promise.ships_from), price_json(promise.price)
    claims = (
        f'{_rule_claims(promise.rule)},"e":"{earliest}","l":"{latest}","o":"{order_by}",'
        f'"f":{ships_from},"n":{len(promise.parcels)},"pr":{price}}}'
    )
    return OptionText(earliest, latest, order_by, ships_from, price, *encode_rest(claims))


def price_json(price: Money) -> str:
    """A price as compact JSON, as the answer and the token both write it (the amount is a
    decimal string; currencies are three capitals by the rules' schema, which JSON does not
    escape)."""
    return f'{{"amount":"{price.amount}","currency":"{price.currency}"}}'


def locations_json(ids: tuple[str, ...]) -> str:
    """A location list as compact JSON (ids are ASCII by the rules' schema, so every JSON
    serialiser writes the same text)."""
    return json.dumps(list(ids), separators=(",", ":"))


_OPENING = json.dumps({"p": PURPOSE, "v": CLAIMS_VERSION}, separators=(",", ":"))[:-1] + ","


def _rule_claims(rule: MethodRule) -> str:
    """The claims a rule fixes, as JSON members."""
    claims = {"m": rule.method, "r": rule.key, "c": rule.carrier, "s": rule.service}
    return json.dumps(claims, separators=(",", ":"))[1:-1]


@lru_cache(maxsize=1024)
def _text(value: str) -> str:
    return json.dumps(value)


def read_promise_token(
    token: str, *, secret: str, now: datetime, previous: Sequence[str] = ()
) -> PromisedWindow:
    """Verify signature, purpose and expiry; raise InvalidToken otherwise. ``previous``: the
    secrets a rotation keeps valid beside ``secret``."""
    secrets = list(dict.fromkeys((secret, *previous)))
    keys = [purpose_key(s, PROMISE) for s in secrets] + secrets  # then: before purpose keys
    claims = verify_token_with(keys, PURPOSE, token, now)
    try:
        return _window(claims)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidToken("promise token claims are malformed") from exc


def _window(claims: dict[str, Any]) -> PromisedWindow:
    version = claims["v"]
    if version == 1:
        claims = _v1_claims(claims)
    elif version != CLAIMS_VERSION:
        raise ValueError(f"unknown claims version {version!r}")
    price = claims["pr"]
    return PromisedWindow(
        method=str(claims["m"]),
        rule=str(claims["r"]),
        carrier=str(claims["c"]),
        service=str(claims["s"]),
        earliest=date.fromisoformat(claims["e"]),
        latest=date.fromisoformat(claims["l"]),
        order_by=datetime.fromisoformat(claims["o"]),
        quoted_at=datetime.fromisoformat(claims["q"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        ships_from=tuple(str(location) for location in claims["f"]),
        parcels=int(claims["n"]),
        price=Money(Decimal(price["amount"]), str(price["currency"])),
        country=str(claims["d"]),
        postal_code=str(claims["z"]),
        cart=str(claims["k"]),
        rules_version=str(claims["rv"]),
    )


def _v1_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """A version 1 token's claims under the version 2 names (tokens quoted before an upgrade
    are ordered with after it)."""
    names = {
        "method": "m", "rule": "r", "carrier": "c", "service": "s", "earliest": "e",
        "latest": "l", "order_by": "o", "ships_from": "f", "parcels": "n", "price": "pr",
        "quoted_at": "q", "exp": "exp", "cart": "k", "rules": "rv",
    }  # fmt: skip
    dest = claims["dest"]
    return {
        **{short: claims[name] for name, short in names.items()},
        "d": dest["country"],
        "z": dest["postal_code"],
    }
