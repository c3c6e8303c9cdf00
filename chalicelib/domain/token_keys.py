"""The token secret as tokens use it: one key per purpose, and the previous secret while a
rotation's overlap lasts.

Each kind of token is signed with its own key, derived from the secret (HMAC-SHA256 of the
purpose's name under the secret), never with the secret itself: a token of one kind can then not
verify as another, whatever its text. A rotated secret keeps the one it replaced valid for an
overlap, so that links e-mailed before the rotation keep opening their order; a secret replaced
outright (a leak) ends everything it signed at once.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

PROMISE = "promise"  # the quote's promise tokens
CUSTOMER = "customer"  # the tokens in the customer's links


@dataclass(frozen=True, slots=True)
class TokenKeys:
    """The current token secret and, during a rotation's overlap, the previous one."""

    current: str
    previous: str | None = None
    previous_until: datetime | None = None  # the end of the overlap: rotated_at + overlap

    def secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets a token may be signed with at ``now``, the current one first."""
        if self.previous and self.previous_until is not None and now < self.previous_until:
            return (self.current, self.previous)
        return (self.current,)


@lru_cache(maxsize=16)  # a few secrets per container times a few purposes
def purpose_key(secret: str, purpose: str) -> str:
    """The key one purpose signs with: hex text, as the signing functions take a secret."""
    message = f"promise-keeper token key: {purpose}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def key_id(secret: str) -> str:
    """The name a customer token gives the secret that signed it: 8 hex digits of a key derived
    for naming alone (it tells nothing of the secret, and differs per secret)."""
    return purpose_key(secret, "key id")[:8]
