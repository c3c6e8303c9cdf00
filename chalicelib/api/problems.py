"""Errors translated at the edge: every 4xx/5xx leaves as RFC 9457 problem details.

Chalice turns any exception that is not a Chalice view error into a 500 before middleware sees it,
so route functions are wrapped in `problem_route`, which maps domain exceptions and pydantic's
ValidationError to problems. `problem_middleware` rewrites the error answers Chalice builds itself
(405, 415, its own 400/500) into the same shape and refuses oversized bodies (413).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.app import Request, Response

from chalicelib.api.http import request_id_of
from chalicelib.domain import errors
from chalicelib.observability import logger
from chalicelib.settings import get_settings

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: str


PROBLEM_TYPES: dict[str, ProblemType] = {
    "validation_error": ProblemType(422, "Request is invalid"),
    "malformed_json": ProblemType(400, "Request body is not valid JSON"),
    "bad_request": ProblemType(400, "Request cannot be processed"),
    "unauthorized": ProblemType(401, "Authentication is required"),
    "invalid_signature": ProblemType(401, "Signature is missing, invalid or too old"),
    "forbidden": ProblemType(403, "This credential does not grant access"),
    "not_found": ProblemType(404, "Resource not found"),
    "method_not_allowed": ProblemType(405, "Method not allowed on this resource"),
    "conflict": ProblemType(409, "Request conflicts with the stored state"),
    "not_delivered": ProblemType(409, "No parcel of this order has been delivered yet"),
    "already_rated": ProblemType(409, "This order can no longer be rated"),
    "return_not_allowed": ProblemType(409, "The return policy does not allow this return"),
    "illegal_transition": ProblemType(409, "This status change is not allowed"),
    "payload_too_large": ProblemType(413, "Request body is too large"),
    "unsupported_media_type": ProblemType(415, "Content type is not supported"),
    "too_many_requests": ProblemType(429, "Too many requests"),
    "internal_error": ProblemType(500, "Internal error"),
    "service_unavailable": ProblemType(503, "Service temporarily unavailable"),
}

DOMAIN_CODES: dict[type[errors.DomainError], str] = {
    errors.NotFound: "not_found",
    errors.Conflict: "conflict",
    errors.Forbidden: "forbidden",
    errors.Unauthorized: "unauthorized",
    errors.InvalidSignature: "invalid_signature",
    errors.InvalidToken: "validation_error",
    errors.NotDelivered: "not_delivered",
    errors.AlreadyRated: "already_rated",
    errors.ReturnNotAllowed: "return_not_allowed",
    errors.IllegalTransition: "illegal_transition",
    errors.InvalidInput: "validation_error",
    errors.MalformedJson: "malformed_json",
    errors.NotRecorded: "service_unavailable",
}

# Error answers that Chalice builds itself carry {"Code": ..., "Message": ...}.
CHALICE_CODES: dict[str, str] = {
    "BadRequestError": "bad_request",
    "UnauthorizedError": "unauthorized",
    "ForbiddenError": "forbidden",
    "NotFoundError": "not_found",
    "MethodNotAllowedError": "method_not_allowed",
    "ConflictError": "conflict",
    "UnprocessableEntityError": "validation_error",
    "TooManyRequestsError": "too_many_requests",
    "UnsupportedMediaType": "unsupported_media_type",
    "RequestTimeoutError": "service_unavailable",
    "InternalServerError": "internal_error",
}


def problem_type_uri(code: str) -> str:
    return "/problems/" + code.replace("_", "-")


def problem_body(
    code: str,
    detail: str,
    *,
    request_id: str | None = None,
    field_errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    kind = PROBLEM_TYPES[code]
    body: dict[str, Any] = {
        "type": problem_type_uri(code),
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
        "code": code,
    }
    if field_errors is not None:
        body["errors"] = field_errors
    if request_id:
        body["request_id"] = request_id
    return body


def problem_response(
    code: str,
    detail: str,
    *,
    request_id: str | None = None,
    field_errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem_body(code, detail, request_id=request_id, field_errors=field_errors)
    return Response(
        body=json.dumps(body),
        status_code=body["status"],
        headers={"Content-Type": PROBLEM_JSON, **(headers or {})},
    )


def domain_code(exc: errors.DomainError) -> str:
    """The problem code of a domain error (the JSON routes' and the HTML pages' one mapping)."""
    return next(c for kind, c in DOMAIN_CODES.items() if isinstance(exc, kind))


def _domain_problem(exc: errors.DomainError, request_id: str | None) -> Response:
    code = domain_code(exc)
    field_errors = (
        exc.errors if isinstance(exc, errors.InvalidInput | errors.ReturnNotAllowed) else None
    )
    if isinstance(exc, errors.InvalidToken):
        field_errors = [{"loc": ["token"], "msg": str(exc)}]
    return problem_response(code, str(exc), request_id=request_id, field_errors=field_errors)


def problem_route(
    current_request: Callable[[], Request | None],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator factory: translate everything a route can raise into a problem response."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except errors.DomainError as exc:
                return _domain_problem(exc, request_id_of(current_request()))
            except Exception as exc:  # the edge: anything else is a bug or an outage
                return _unexpected(exc, request_id_of(current_request()))

        return wrapper

    return decorator


def _unexpected(exc: Exception, request_id: str | None) -> Response:
    """A passing AWS failure is 429 or 503 with Retry-After (the write it hit changed nothing:
    store/transient.py); anything else is a bug, answered 500 without a trace."""
    from chalicelib.store.transient import transient_failure

    transient = transient_failure(exc)
    if transient is None:
        logger.exception("unhandled error in route")
        return problem_response(
            "internal_error",
            "An unexpected error occurred; quote the request id to support",
            request_id=request_id,
        )
    # By class only: a provider's message may quote what it refused.
    logger.warning("AWS failure passed on as retryable", error=type(exc).__name__)
    code = "too_many_requests" if transient.throttled else "service_unavailable"
    return problem_response(
        code,
        f"Nothing was changed; send the same request again in {transient.retry_after} s",
        request_id=request_id,
        headers={"Retry-After": str(transient.retry_after)},
    )


def _is_chalice_error(response: Response) -> bool:
    body = response.body
    return (
        response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}
    )


def problem_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    request_id = request_id_of(event)
    limit = get_settings().max_body_bytes
    if event.raw_body and len(event.raw_body) > limit:
        return problem_response(
            "payload_too_large", f"Body exceeds {limit} bytes", request_id=request_id
        )
    response = get_response(event)
    if not _is_chalice_error(response):
        return response
    code = CHALICE_CODES.get(response.body["Code"], "internal_error")
    detail = (
        response.body["Message"] if code != "internal_error" else "An unexpected error occurred"
    )
    headers = {
        k: v if isinstance(v, str) else ",".join(v)
        for k, v in response.headers.items()
        if k.lower() != "content-type"
    }
    return problem_response(code, detail, request_id=request_id, headers=headers)
