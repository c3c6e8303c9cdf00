"""Header lookup and the signature primitives the senders' schemes are built from.

Every failure raises ``InvalidSignature`` with a short reason; the reason never echoes the
presented signature. All comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import InvalidSignature

# The generic scheme's window (docs/api.md); also used for Shippo and EasyPost v2, whose docs name a
# tolerance window without a number we could rely on.
REPLAY_WINDOW = timedelta(minutes=5)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of ``name`` whatever the case the transport delivered it in."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value.strip()
    return None


def required_header(headers: Mapping[str, str], name: str) -> str:
    value = header(headers, name)
    if not value:
        raise InvalidSignature(f"{name} header is missing")
    return value


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def matches(expected: str, presented: str) -> bool:
    return hmac.compare_digest(expected.encode(), presented.encode())


def check_freshness(signed_at: datetime, now: datetime, window: timedelta = REPLAY_WINDOW) -> None:
    """Reject a signature made too long ago or too far ahead (clock skew in either direction)."""
    if abs(now - signed_at) > window:
        raise InvalidSignature("signature timestamp is outside the accepted window")


def verify_timestamped_hmac(
    value: str, raw_body: bytes, secret: str, now: datetime, name: str
) -> None:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``; several v1 may appear
    (the sender signs with old and new secret while rotating)."""
    timestamp, signatures = _parse_timestamped(value, name)
    check_freshness(_from_unix(timestamp, name), now)
    expected = hmac_sha256(secret.encode(), timestamp.encode() + b"." + raw_body).hex()
    if not any(matches(expected, candidate.lower()) for candidate in signatures):
        raise InvalidSignature(f"{name} does not match the body")


def _parse_timestamped(value: str, name: str) -> tuple[str, list[str]]:
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t":
            timestamps.append(item)
        elif key == "v1":
            signatures.append(item)
    if len(timestamps) != 1 or not signatures:
        raise InvalidSignature(f"{name} header is malformed")
    return timestamps[0], signatures


def _from_unix(seconds: str, name: str) -> datetime:
    try:
        if not (seconds.isascii() and seconds.isdigit()):
            raise ValueError(seconds)
        return datetime.fromtimestamp(int(seconds), tz=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise InvalidSignature(f"{name} header is malformed") from exc
