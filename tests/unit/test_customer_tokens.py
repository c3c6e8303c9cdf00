"""Customer tokens and the token secret's keys: what a token vouches for, and what it never does.

Pure: the keys, the token's text and its checks against an order's generation and lifetime.
The HTTP side (the merchant's replacement, the pages) is tests/api/test_signed_promises.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.customer_tokens import (
    DEFAULT_LIFETIME,
    CustomerTokens,
    Grant,
    first_format_token,
)
from chalicelib.domain.errors import InvalidToken
from chalicelib.domain.promise.tokens import read_promise_token
from chalicelib.domain.signing import b64, sign_serialised
from chalicelib.domain.token_keys import CUSTOMER, PROMISE, TokenKeys, key_id, purpose_key

SECRET = "test-token-secret"
NEW = "rotated-token-secret"
PLACED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
NOW = PLACED + timedelta(days=10)
TOKENS = CustomerTokens(TokenKeys(SECRET))


def test_each_purpose_signs_with_a_key_of_its_own() -> None:
    keys = {purpose_key(SECRET, CUSTOMER), purpose_key(SECRET, PROMISE), SECRET}

    assert len(keys) == 3
    assert purpose_key(NEW, PROMISE) != purpose_key(SECRET, PROMISE)
    assert key_id(SECRET) != key_id(NEW) and len(key_id(SECRET)) == 8
    assert key_id(SECRET) not in SECRET


def test_a_token_names_its_key_generation_and_expiry_and_reads_back() -> None:
    token = TOKENS.issue("1001", 1, PLACED)

    kid, generation, expires, signature = token.split(".")
    assert (kid, generation) == (key_id(SECRET), "1")
    assert int(expires) == int((PLACED + DEFAULT_LIFETIME).timestamp())
    assert len(token) < 50  # short enough for an SMS link
    assert TOKENS.read("1001", token, NOW) == Grant(1, PLACED + DEFAULT_LIFETIME)


def _fields(token: str) -> list[str]:
    return token.split(".")


@pytest.mark.parametrize(
    ("order_id", "forge"),
    [
        ("1002", lambda t: t),  # genuine, but for order 1001
        ("1001", lambda t: t.replace(".1.", ".2.", 1)),  # another generation
        ("1001", lambda t: ".".join([*_fields(t)[:2], str(int(_fields(t)[2]) + 1), _fields(t)[3]])),
        ("1001", lambda t: t[:-1] + ("A" if t[-1] != "A" else "B")),  # the signature
        ("1001", lambda t: key_id(NEW) + t[8:]),  # another key's id
        ("1001", lambda t: CustomerTokens(TokenKeys(NEW)).issue("1001", 1, PLACED)),
        ("1001", lambda t: first_format_token(NEW, "1001")),
        ("1001", lambda t: ""),
        ("1001", lambda t: "tök\u00e9n"),
        ("1001", lambda t: "a" * 42 + "\u00e9"),
    ],
    ids=[
        "other order", "generation", "expiry", "signature", "key id", "secret", "first format",
        "empty", "non-ascii", "first format shape",
    ],
)  # fmt: skip
def test_a_token_for_another_order_or_altered_in_any_part_is_refused(
    order_id: str, forge: Callable[[str], str]
) -> None:
    genuine = TOKENS.issue("1001", 1, PLACED)

    with pytest.raises(InvalidToken, match="does not grant access"):
        TOKENS.read(order_id, forge(genuine), NOW)


def test_a_token_ends_with_its_lifetime() -> None:
    tokens = CustomerTokens(TokenKeys(SECRET), lifetime=timedelta(days=30))
    token = tokens.issue("1001", 1, PLACED)

    tokens.read("1001", token, PLACED + timedelta(days=30) - timedelta(seconds=1))
    with pytest.raises(InvalidToken, match="expired"):
        tokens.read("1001", token, PLACED + timedelta(days=30))


def test_a_token_of_an_earlier_generation_was_replaced() -> None:
    grant = TOKENS.read("1001", TOKENS.issue("1001", 1, PLACED), NOW)

    TOKENS.check(grant, generation=1, placed_at=PLACED, now=NOW)
    with pytest.raises(InvalidToken, match="replaced"):
        TOKENS.check(grant, generation=2, placed_at=PLACED, now=NOW)
    ahead = TOKENS.read("1001", TOKENS.issue("1001", 3, PLACED), NOW)
    with pytest.raises(InvalidToken, match="does not grant access"):
        TOKENS.check(ahead, generation=2, placed_at=PLACED, now=NOW)


def test_a_first_format_token_is_the_first_generation_for_the_order_lifetime() -> None:
    grant = TOKENS.read("1001", first_format_token(SECRET, "1001"), NOW)

    assert grant == Grant(1, None)
    TOKENS.check(grant, generation=1, placed_at=PLACED, now=PLACED + DEFAULT_LIFETIME / 2)
    with pytest.raises(InvalidToken, match="expired"):
        TOKENS.check(grant, generation=1, placed_at=PLACED, now=PLACED + DEFAULT_LIFETIME)
    with pytest.raises(InvalidToken, match="replaced"):
        TOKENS.check(grant, generation=2, placed_at=PLACED, now=NOW)


def test_the_previous_secret_signs_valid_tokens_until_the_overlap_ends() -> None:
    # Given tokens signed before the rotation, in both formats
    old = TOKENS.issue("1001", 1, PLACED)
    first = first_format_token(SECRET, "1001")

    # When the secret is rotated, the previous one kept until NOW + 1 day
    rotated = CustomerTokens(TokenKeys(NEW, previous=SECRET, previous_until=NOW + timedelta(1)))

    # Then both read until then, new tokens name the new key, and after it neither reads
    assert rotated.read("1001", old, NOW).generation == 1
    assert rotated.read("1001", first, NOW).generation == 1
    assert rotated.issue("1001", 1, PLACED).startswith(key_id(NEW))
    for token in (old, first):
        with pytest.raises(InvalidToken):
            rotated.read("1001", token, NOW + timedelta(days=1))


def test_a_promise_token_never_reads_as_a_customer_token_and_the_other_way_round() -> None:
    customer = TOKENS.issue("1001", 1, PLACED)
    kid, generation, expires, signature = customer.split(".")
    # A customer token's signature behind a header of the text it signs, in either format
    fakes = [
        f"{b64(f'1001:{kid}.{generation}.{expires}'.encode())}.{signature}",
        f"{b64(b'order:1001')}.{first_format_token(SECRET, '1001')}",
    ]

    for fake in fakes:
        with pytest.raises(InvalidToken):
            read_promise_token(fake, secret=SECRET, now=NOW)
    promise = sign_serialised(purpose_key(SECRET, PROMISE), json.dumps({"p": "promise", "v": 2}))
    with pytest.raises(InvalidToken):
        TOKENS.read("1001", promise, NOW)


@settings(max_examples=300, derandomize=True)
@given(token=st.text(max_size=80), order_id=st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True))
def test_reading_any_text_as_a_customer_token_answers_or_refuses(token: str, order_id: str) -> None:
    try:
        TOKENS.read(order_id, token, NOW)
    except InvalidToken:
        pass
