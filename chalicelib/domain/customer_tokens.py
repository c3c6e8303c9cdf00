"""Customer tokens: the one credential of the customer's links (tracking, return, rating pages).

A token is ``<key id>.<generation>.<expires>.<signature>``, about 45 characters, short enough
for an SMS link:

- key id: names the secret that signed it (``token_keys.key_id``), so that links signed before
  a rotation verify with the previous secret while the overlap lasts;
- generation: the order's token generation when the token was issued. The merchant's
  ``POST /v1/orders/{order_id}/token`` moves the order on to the next one, and every token of
  an earlier generation stops working;
- expires: unix seconds, the order's ``placed_at`` plus the token lifetime (a year by default:
  the longest return window and the rating after it);
- signature: HMAC-SHA256 under the secret's customer key (``token_keys.CUSTOMER``) of the order
  id and the three fields, its first 128 bits in URL-safe base64.

Links e-mailed before tokens had key ids carry the first format: an HMAC of ``order:<id>`` under
the token secret itself, with neither key id nor expiry. They stay valid as the order's first
generation and end like the others: a year after the order, or when the merchant replaces the
token. Nothing issues them any more.

Reading a token (``CustomerTokens.read``) needs no database; whether its generation is still
the order's, and for the first format whether the order is still within the lifetime, is
checked against the stored order (``CustomerTokens.check``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import InvalidToken
from chalicelib.domain.signing import b64
from chalicelib.domain.token_keys import CUSTOMER, TokenKeys, key_id, purpose_key

FIRST_GENERATION = 1
DEFAULT_LIFETIME = timedelta(days=365)
_SIGNATURE_BYTES = 16
_TOKEN = re.compile(r"([0-9a-f]{8})\.([1-9][0-9]{0,9})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})")
_FIRST_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}")

NOT_THIS_ORDER = "this token does not grant access to this order"
EXPIRED = "this token has expired"
REPLACED = "this token was replaced by a newer one"


@dataclass(frozen=True, slots=True)
class Grant:
    """What a genuine token vouches for, before the order is read."""

    generation: int
    expires_at: datetime | None  # None: the first format, which ends with its order's lifetime


@dataclass(frozen=True, slots=True)
class CustomerTokens:
    """Issue and check customer tokens with the container's keys and the configured lifetime."""

    keys: TokenKeys
    lifetime: timedelta = DEFAULT_LIFETIME

    def expires_at(self, placed_at: datetime) -> datetime:
        # Whole seconds: the token carries its expiry as unix seconds.
        return (placed_at + self.lifetime).astimezone(UTC).replace(microsecond=0)

    def issue(self, order_id: str, generation: int, placed_at: datetime) -> str:
        """The token of the order's ``generation``, signed with the current secret."""
        secret = self.keys.current
        fields = f"{key_id(secret)}.{generation}.{int(self.expires_at(placed_at).timestamp())}"
        return f"{fields}.{_signature(secret, order_id, fields)}"

    def read(self, order_id: str, token: str, now: datetime) -> Grant:
        """What a token vouches for; InvalidToken when it is another order's, forged, signed
        with a secret no longer valid, or expired."""
        found = _TOKEN.fullmatch(token)
        if found is None:
            return self._first_format(order_id, token, now)
        kid, generation, expires, signature = found.groups()
        secret = next((s for s in self.keys.secrets(now) if key_id(s) == kid), None)
        fields = f"{kid}.{generation}.{expires}"
        if secret is None or not hmac.compare_digest(
            signature, _signature(secret, order_id, fields)
        ):
            raise InvalidToken(NOT_THIS_ORDER)
        if now.timestamp() >= int(expires):
            raise InvalidToken(EXPIRED)
        return Grant(int(generation), datetime.fromtimestamp(int(expires), UTC))

    def check(self, grant: Grant, *, generation: int, placed_at: datetime, now: datetime) -> None:
        """Whether a read token still opens the order as stored: its generation is the order's,
        and a first-format token is within the order's lifetime. InvalidToken otherwise."""
        if grant.generation < generation:
            raise InvalidToken(REPLACED)
        if grant.generation != generation:  # a generation the order never reached
            raise InvalidToken(NOT_THIS_ORDER)
        if grant.expires_at is None and now >= self.expires_at(placed_at):
            raise InvalidToken(EXPIRED)

    def _first_format(self, order_id: str, token: str, now: datetime) -> Grant:
        if _FIRST_FORMAT.fullmatch(token) is None:
            raise InvalidToken(NOT_THIS_ORDER)
        # Every secret is tried, so the time taken tells nothing of which one matched.
        matches = [
            hmac.compare_digest(token, first_format_token(s, order_id))
            for s in self.keys.secrets(now)
        ]
        if not any(matches):
            raise InvalidToken(NOT_THIS_ORDER)
        return Grant(FIRST_GENERATION, None)


def first_format_token(secret: str, order_id: str) -> str:
    """A token as links carried it before key ids: the HMAC of the order id under the secret.
    Only read (``CustomerTokens.read``), never issued."""
    return b64(hmac.new(secret.encode(), f"order:{order_id}".encode(), hashlib.sha256).digest())


def _signature(secret: str, order_id: str, fields: str) -> str:
    key = purpose_key(secret, CUSTOMER).encode()
    mac = hmac.new(key, f"{order_id}:{fields}".encode(), hashlib.sha256).digest()
    return b64(mac[:_SIGNATURE_BYTES])
