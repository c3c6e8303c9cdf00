"""The app under test, with a probe blueprint that raises what real routes raise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chalice import Blueprint, Chalice

from chalicelib.api.auth import merchant_authorizer
from chalicelib.api.http import json_response, parse_body
from chalicelib.api.routing import Operation, route
from chalicelib.app_factory import create_app
from chalicelib.domain import errors
from chalicelib.observability import logger
from devstack.gateway import GatewayClient
from tests.api.probe_models import ProbeBody

probe_bp = Blueprint(__name__)

RAISES: dict[str, type[errors.DomainError]] = {
    "not_found": errors.NotFound,
    "conflict": errors.Conflict,
    "forbidden": errors.Forbidden,
    "invalid_signature": errors.InvalidSignature,
    "not_delivered": errors.NotDelivered,
    "already_rated": errors.AlreadyRated,
    "return_not_allowed": errors.ReturnNotAllowed,
}


@route(probe_bp, Operation("/probe/raise/{code}", "GET", "raise a domain error", "probe"))
def raise_domain_error(code: str) -> Any:
    if code == "bug":
        raise RuntimeError("secret internals: anna@example.com")
    raise RAISES[code](f"probe {code}")


@route(probe_bp, Operation("/probe/echo", "POST", "validate a body", "probe", request=ProbeBody))
def echo() -> Any:
    body = parse_body(probe_bp.current_request, ProbeBody)
    logger.info("probe received", extra={"customer": body.model_dump(), "note": body.note})
    return json_response(body)


@route(
    probe_bp,
    Operation("/probe/merchant", "GET", "merchant only", "probe", auth="merchant"),
    authorizer=merchant_authorizer,
)
def merchant_only() -> Any:
    return json_response({"ok": True})


_APP: Chalice | None = None


def app_under_test() -> Chalice:
    # One app per process: Chalice blueprints remember the last app they were registered on.
    global _APP
    if _APP is None:
        _APP = create_app(extra=(probe_bp,))
    return _APP


@pytest.fixture
def client(aws: dict[str, Any]) -> Iterator[Any]:
    with GatewayClient(app_under_test()) as test_client:
        yield test_client.http
