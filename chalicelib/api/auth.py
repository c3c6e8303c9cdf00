"""Merchant authentication: a Chalice authorizer, identical under `chalice local` and API Gateway.

Keys are never stored: only their SHA-256 hashes, compared in constant time. Routes that the
customer may also call (with the order's token) cannot sit behind the authorizer, so they use
`is_merchant` directly on the same header.
"""

from __future__ import annotations

import hashlib
import hmac

from chalice import Blueprint
from chalice.app import AuthRequest, AuthResponse

from chalicelib.settings import get_secrets

auth_bp = Blueprint(__name__)

BEARER = "bearer "


def is_merchant(authorization: str | None) -> bool:
    if not authorization or not authorization[: len(BEARER)].lower() == BEARER:
        return False
    presented = hashlib.sha256(authorization[len(BEARER) :].strip().encode()).hexdigest()
    # Compare against every stored hash without stopping early, so timing reveals nothing.
    matches = [hmac.compare_digest(presented, h) for h in get_secrets().merchant_key_hashes]
    return any(matches)


@auth_bp.authorizer(name="merchant", ttl_seconds=300)
def merchant_authorizer(auth_request: AuthRequest) -> AuthResponse:
    if is_merchant(auth_request.token):
        return AuthResponse(routes=["*"], principal_id="merchant")
    # An empty route list is a deny; API Gateway's ACCESS_DENIED answer (infra/) makes it a 401.
    return AuthResponse(routes=[], principal_id="anonymous")
