"""Promise tokens: a signed, self-contained record of one quoted option (purpose "promise").

Registering an order later needs no stored quote: the token carries the method, the dates, the
destination and a digest of the cart, and it expires a configurable time after the quote.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain.errors import InvalidToken
from chalicelib.domain.promise.engine import MethodPromise
from chalicelib.domain.promise.rules import Money
from chalicelib.domain.promise.sourcing import merge_items
from chalicelib.domain.signing import issue_token, shared, verify_token

PURPOSE = "promise"
CLAIMS_VERSION = 1


@dataclass(frozen=True, slots=True)
class TokenContext:
    """What every option of one quote shares."""

    secret: str
    quoted_at: datetime
    expires_at: datetime
    country: str
    postal_code: str
    cart: str  # cart_digest of the quoted items
    rules_version: str
    # The shared claims, serialised once per quote rather than once per option.
    claims: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        shared_claims = {
            "quoted_at": self.quoted_at.isoformat(),
            "exp": int(self.expires_at.timestamp()),
            "dest": {"country": self.country, "postal_code": self.postal_code},
            "cart": self.cart,
            "rules": self.rules_version,
        }
        object.__setattr__(self, "claims", shared(shared_claims))


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


def cart_digest(items: Iterable[tuple[str, int]]) -> str:
    """Order-independent digest of (sku, quantity) lines; repeated SKUs are added up."""
    canonical = ";".join(f"{sku}:{quantity}" for sku, quantity in sorted(merge_items(items)))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def issue_promise_token(promise: MethodPromise, context: TokenContext) -> str:
    claims: dict[str, Any] = {
        "v": CLAIMS_VERSION,
        "method": promise.rule.method,
        "rule": promise.rule.key,
        "carrier": promise.rule.carrier,
        "service": promise.rule.service,
        "earliest": promise.earliest.isoformat(),
        "latest": promise.latest.isoformat(),
        "order_by": promise.order_by.isoformat(),
        "ships_from": list(promise.ships_from),
        "parcels": len(promise.parcels),
        "price": {"amount": str(promise.price.amount), "currency": promise.price.currency},
    }
    return issue_token(context.secret, PURPOSE, claims, shared_claims=context.claims)


def read_promise_token(token: str, *, secret: str, now: datetime) -> PromisedWindow:
    """Verify signature, purpose and expiry; raise InvalidToken otherwise."""
    claims = verify_token(secret, PURPOSE, token, now)
    try:
        return _window(claims)
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidToken("promise token claims are malformed") from exc


def _window(claims: dict[str, Any]) -> PromisedWindow:
    if claims["v"] != CLAIMS_VERSION:
        raise ValueError(f"unknown claims version {claims['v']!r}")
    return PromisedWindow(
        method=str(claims["method"]),
        rule=str(claims["rule"]),
        carrier=str(claims["carrier"]),
        service=str(claims["service"]),
        earliest=date.fromisoformat(claims["earliest"]),
        latest=date.fromisoformat(claims["latest"]),
        order_by=datetime.fromisoformat(claims["order_by"]),
        quoted_at=datetime.fromisoformat(claims["quoted_at"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        ships_from=tuple(str(location) for location in claims["ships_from"]),
        parcels=int(claims["parcels"]),
        price=Money(Decimal(claims["price"]["amount"]), str(claims["price"]["currency"])),
        country=str(claims["dest"]["country"]),
        postal_code=str(claims["dest"]["postal_code"]),
        cart=str(claims["cart"]),
        rules_version=str(claims["rules"]),
    )
