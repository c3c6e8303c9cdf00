"""The customer's token, checked against the order it names: the one gate of every customer read
and write (the order's JSON, the pages, returns, the rating).

The signature is checked before anything is read, so a forged token or another order's learns
nothing of whether the order exists. Then the order is read once, for what only it knows:
whether the token's generation is still the order's (the merchant may have replaced it), and,
for a link in the first format, whether the order is still within the token lifetime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain import errors
from chalicelib.domain.customer_tokens import CustomerTokens
from chalicelib.store.records import StoredOrder


def authorized_order(
    tokens: CustomerTokens,
    read: Callable[[str], StoredOrder | None],
    order_id: str,
    token: str | None,
    now: datetime,
) -> StoredOrder:
    """The order ``token`` opens. Unauthorized without a token; Forbidden for a token that is
    another order's, forged, signed with a secret no longer valid, expired or replaced; NotFound
    for a genuine token of an order that is not stored."""
    if not token:
        raise errors.Unauthorized("the order's customer token is required")
    try:
        grant = tokens.read(order_id, token, now)
    except errors.InvalidToken as exc:
        raise errors.Forbidden(str(exc)) from exc
    stored = read(order_id)
    if stored is None:
        raise errors.NotFound(f"order {order_id} not found")
    try:
        tokens.check(
            grant, generation=stored.token_generation, placed_at=stored.record.placed_at, now=now
        )
    except errors.InvalidToken as exc:
        raise errors.Forbidden(str(exc)) from exc
    return stored
