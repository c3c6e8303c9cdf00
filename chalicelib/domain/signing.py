"""HMAC signing for tokens handed to storefronts and customers.

A token is ``<base64url(json claims)>.<base64url(HMAC-SHA256)>``: self-contained, so verifying it
needs no database read (the quote path stays stateless). The keys are the token secret's
per-purpose keys (``token_keys``); customer tokens have a shorter form of their own
(``customer_tokens``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from chalicelib.domain.errors import InvalidToken

_URLSAFE = bytes.maketrans(b"+/", b"-_")
_SHA256_BLOCK = 64


def b64(data: bytes) -> str:
    """URL-safe base64 without padding (base64.urlsafe_b64encode without its two Python
    layers)."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hmac_sha256_hex(secret: str | bytes, message: str | bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    msg = message.encode() if isinstance(message, str) else message
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def issue_token(secret: str, purpose: str, claims: dict[str, Any]) -> str:
    """Sign ``claims`` for one ``purpose`` (a promise token can never pass as a customer token)."""
    return sign_serialised(secret, json.dumps({"p": purpose, **claims}, separators=(",", ":")))


def sign_serialised(secret: str, body: str) -> str:
    """Sign claims already serialised as a JSON object whose first member is ``"p": purpose``."""
    raw = body.encode()
    # One translation to the URL-safe alphabet for both parts ("." is left as it is).
    token = b"%s.%s" % (
        binascii.b2a_base64(raw, newline=False).rstrip(b"="),
        binascii.b2a_base64(hmac_sha256(secret, raw), newline=False).rstrip(b"="),
    )
    return token.translate(_URLSAFE).decode()


class SignedStart(NamedTuple):
    """The start of several token bodies, encoded and hashed once (``signed_start``)."""

    base64: str  # URL-safe base64 of the start: a whole number of 3-byte groups, no padding
    inner: hashlib._Hash  # the HMAC's inner hash with the start absorbed
    outer: hashlib._Hash  # the HMAC's outer hash, keyed


def signed_start(secret: str, start: str) -> SignedStart:
    """Encode and hash once the start that several bodies share (a quote's claims, before each
    option's own), so that ``token_parts`` encodes and hashes only what differs.

    Spaces pad the start to a whole number of 3-byte groups: base64 of the whole body is then
    base64 of the start followed by base64 of the rest. JSON allows the spaces between
    members, so the start must end after a member's comma.
    """
    raw = start.encode()
    raw += b" " * (-len(raw) % 3)
    inner, outer = _keyed(secret)
    inner = inner.copy()
    inner.update(raw)
    encoded = binascii.b2a_base64(raw).translate(_URLSAFE).decode()[:-1]  # no "=", a newline
    return SignedStart(encoded, inner, outer)


def encode_rest(rest: str) -> tuple[bytes, str]:
    """What follows a start, as ``token_parts`` takes it: UTF-8, and URL-safe base64 without
    padding (b2a_base64 ends with a newline: taking it off with the padding spares the keyword
    argument, whose parsing was a fifth of the call). A rest many tokens share is encoded once."""
    raw = rest.encode()
    return raw, binascii.b2a_base64(raw).rstrip(b"=\n").translate(_URLSAFE).decode()


def token_parts(start: SignedStart, raw: bytes, encoded: str) -> tuple[str, str, str, str]:
    """``sign_serialised`` of the padded start followed by a rest (``encode_rest``), in the
    parts that joined make the same token: a writer that joins a larger text puts them in it."""
    inner = start.inner.copy()
    inner.update(raw)
    outer = start.outer.copy()
    outer.update(inner.digest())
    mac = binascii.b2a_base64(outer.digest())[:43].translate(_URLSAFE).decode()  # 32 bytes
    return start.base64, encoded, ".", mac


def hmac_sha256(secret: str, message: bytes) -> bytes:
    """HMAC-SHA256 (RFC 2104), equal to ``hmac.digest(secret, message, "sha256")``.

    The key's inner and outer blocks are hashed once per secret and copied per message: OpenSSL 3
    sets up the key on every ``hmac.digest`` call, which made up two thirds of signing a token.
    """
    inner, outer = _keyed(secret)
    inner = inner.copy()
    inner.update(message)
    outer = outer.copy()
    outer.update(inner.digest())
    return outer.digest()


@lru_cache(maxsize=4)  # one token secret per container, two while it rotates
def _keyed(secret: str) -> tuple[hashlib._Hash, hashlib._Hash]:
    key = secret.encode()
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))
    return inner, outer


def verify_token(
    secret: str, purpose: str, token: str, now: datetime | None = None
) -> dict[str, Any]:
    """Return the claims of a genuine token; raise InvalidToken otherwise.

    A claim ``exp`` (unix seconds) is enforced when ``now`` is given.
    """
    return verify_token_with((secret,), purpose, token, now)


def verify_token_with(
    keys: Sequence[str], purpose: str, token: str, now: datetime | None = None
) -> dict[str, Any]:
    """``verify_token`` for a token signed with any one of ``keys``."""
    try:
        body_part, mac_part = token.split(".", 1)
        body, mac = _unb64(body_part), _unb64(mac_part)
    except ValueError as exc:  # wrong shape or bad base64 (binascii.Error is a ValueError)
        raise InvalidToken("token is malformed") from exc
    # Every key is tried, so the time taken tells nothing of which one matched.
    matches = [hmac.compare_digest(mac, hmac_sha256(key, body)) for key in keys]
    if not any(matches):
        raise InvalidToken("token signature does not match")
    try:
        claims = json.loads(body)
    except ValueError as exc:  # a genuine MAC over text that is no JSON: another kind of token
        raise InvalidToken("token was issued for another purpose") from exc
    if not isinstance(claims, dict) or claims.pop("p", None) != purpose:
        raise InvalidToken("token was issued for another purpose")
    if now is not None and "exp" in claims and now.timestamp() > float(claims["exp"]):
        raise InvalidToken("token has expired")
    return claims
