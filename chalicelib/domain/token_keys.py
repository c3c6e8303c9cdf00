"""The token secret's keys: one per purpose.

Each kind of token is signed with its own key, derived from the secret (HMAC-SHA256 of the
purpose's name under the secret), never with the secret itself: a token of one kind can then not
verify as another, whatever its text.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

PROMISE = "promise"  # the quote's promise tokens
CUSTOMER = "customer"  # the tokens in the customer's links


@lru_cache(maxsize=16)  # a few secrets per container times a few purposes
def purpose_key(secret: str, purpose: str) -> str:
    """The key one purpose signs with: hex text, as the signing functions take a secret."""
    message = f"promise-keeper token key: {purpose}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
