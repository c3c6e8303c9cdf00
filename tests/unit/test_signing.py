"""Token signing: the precomputed-key HMAC and the base64 shortcut give the standard answers."""

from __future__ import annotations

import base64
import hmac
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidToken
from chalicelib.domain.signing import (
    b64,
    encode_rest,
    hmac_sha256,
    sign_serialised,
    signed_start,
    token_parts,
    verify_token,
    verify_token_with,
)

# Secrets shorter than, equal to and longer than SHA-256's 64-byte block (hashed first then).
secrets = st.one_of(st.text(max_size=40), st.text(min_size=60, max_size=120))


@settings(max_examples=300, derandomize=True)
@given(secret=secrets, message=st.binary(max_size=600))
def test_hmac_equals_the_standard_library(secret: str, message: bytes) -> None:
    assert hmac_sha256(secret, message) == hmac.digest(secret.encode(), message, "sha256")


@settings(max_examples=200, derandomize=True)
@given(
    secret=secrets,
    claims=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "p"), st.text(max_size=30)),
)
def test_a_signed_token_is_urlsafe_base64_of_claims_and_standard_mac(
    secret: str, claims: dict[str, str]
) -> None:
    # Given claims serialised as the token body
    body = json.dumps({"p": "promise", **claims}, separators=(",", ":"))

    # When they are signed
    token = sign_serialised(secret, body)

    # Then both parts are unpadded URL-safe base64 of the body and of its standard HMAC
    body_part, mac_part = token.split(".")
    raw = body.encode()
    mac = hmac.digest(secret.encode(), raw, "sha256")
    assert body_part == base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    assert mac_part == base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    # and the token verifies with the secret it was signed with
    assert verify_token(secret, "promise", token) == claims


@settings(max_examples=200, derandomize=True)
@given(
    secret=secrets,
    start=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "p"), st.text(max_size=30)),
    rest=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "p"), st.text(max_size=30)),
)
def test_a_token_signed_after_a_shared_start_is_the_token_of_the_whole_body(
    secret: str, start: dict[str, str], rest: dict[str, str]
) -> None:
    # Given claims split into a start several tokens share (ending after a member's comma)
    # and the rest of one token's claims
    opening = json.dumps({"p": "promise", **start}, separators=(",", ":"))[:-1] + ","
    closing = json.dumps({"x": "last", **rest}, separators=(",", ":"))[1:]

    # When the start is signed once and the rest after it
    token = "".join(token_parts(signed_start(secret, opening), *encode_rest(closing)))

    # Then it is the standard token of the whole body, the start padded with JSON spaces
    padding = " " * (-len(opening.encode()) % 3)
    assert token == sign_serialised(secret, opening + padding + closing)
    assert verify_token(secret, "promise", token) == {**start, "x": "last", **rest}


@settings(max_examples=300, derandomize=True)
@given(secret=secrets, body=st.binary(max_size=80))
def test_a_genuine_signature_over_text_that_is_no_claims_is_an_invalid_token(
    secret: str, body: bytes
) -> None:
    # A token of another kind behind a made-up header of the text its signature covers (a
    # customer token's "order:<id>" was a 500): whatever that text, never a crash.
    token = f"{b64(body)}.{b64(hmac.digest(secret.encode(), body, 'sha256'))}"

    try:
        claims = verify_token(secret, "promise", token)
    except InvalidToken:
        return
    assert json.loads(body) == {"p": "promise", **claims}


def test_verifying_tries_every_key() -> None:
    token = sign_serialised("new-secret", json.dumps({"p": "promise", "x": 1}))

    assert verify_token_with(["old-secret", "new-secret"], "promise", token) == {"x": 1}
    with pytest.raises(InvalidToken, match="signature"):
        verify_token_with(["old-secret"], "promise", token)
