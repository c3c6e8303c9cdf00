"""API Gateway's own answers, emulated locally from the gateway responses in infra/.

Chalice's local gateway (used by `chalice local` and by `chalice.test.Client`) answers authorizer
denials and unknown paths with API Gateway's default bodies. In AWS the gateway responses of
infra/resources.json turn those into problem details; here the same definitions do the same, so a
client sees one error shape everywhere.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from chalice.local import (
    ForbiddenError,
    InvalidAuthorizerError,
    LocalGatewayException,
    NotAuthorizedError,
)
from chalice.test import Client, TestHTTPClient

from devstack.resources import gateway_responses


def response_type_of(exc: LocalGatewayException) -> str:
    error_type = (exc.headers or {}).get("x-amzn-ErrorType", "")
    if isinstance(exc, NotAuthorizedError):
        return "UNAUTHORIZED"
    if isinstance(exc, ForbiddenError):
        # Chalice raises the same class for a denied authorizer and for an unknown path.
        return (
            "ACCESS_DENIED"
            if error_type == "AccessDeniedException"
            else "MISSING_AUTHENTICATION_TOKEN"
        )
    if isinstance(exc, InvalidAuthorizerError):
        return "AUTHORIZER_CONFIGURATION_ERROR"
    return "DEFAULT_5XX"


def render(exc: LocalGatewayException) -> tuple[int, dict[str, str], bytes]:
    response = gateway_responses()[response_type_of(exc)]
    request_id = (exc.headers or {}).get("x-amzn-RequestId") or str(uuid.uuid4())
    body = response["template"].replace("$context.requestId", request_id)
    status = response["status"] or exc.CODE
    return status, {**response["headers"], "x-amzn-RequestId": request_id}, body.encode()


def render_refusal(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    """What the HTTP server refuses before any route sees it (request line or headers too long,
    a malformed request), as API Gateway answers what it refuses itself: its DEFAULT_4XX or
    DEFAULT_5XX gateway response, with the response's own status where it fixes one (as
    DEFAULT_5XX does, so that its body can state it) and otherwise the refusal's."""
    response = gateway_responses()["DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"]
    request_id = str(uuid.uuid4())
    body = (
        response["template"]
        # API Gateway substitutes the message already quoted as a JSON string.
        .replace("$context.error.messageString", json.dumps(message))
        .replace("$context.requestId", request_id)
    )
    answered = response["status"] or status
    return answered, {**response["headers"], "x-amzn-RequestId": request_id}, body.encode()


class GatewayHTTPClient(TestHTTPClient):
    def _error_response(self, e: LocalGatewayException) -> Any:
        status, headers, body = render(e)
        return super()._error_response(_Rendered(status, headers, body))


class _Rendered(LocalGatewayException):
    def __init__(self, code: int, headers: dict[str, str], body: bytes) -> None:
        super().__init__(headers, body)
        self.CODE = code


class GatewayClient(Client):
    """chalice.test.Client whose gateway answers like the deployed API Gateway."""

    @property
    def http(self) -> TestHTTPClient:
        if self._http_client is None:
            self._http_client = GatewayHTTPClient(self._app, self._chalice_config)
        return self._http_client
