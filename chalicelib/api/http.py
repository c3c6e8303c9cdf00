"""Request parsing and response shaping shared by the blueprints."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.json_input import validate_json
from chalicelib.observability import logger

M = TypeVar("M", bound=BaseModel)
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"  # what a page's form posts
HTML = "text/html; charset=utf-8"  # what a customer's page answers
# A merchant's report: the browser may keep it a minute, no shared cache may keep it at all.
REPORT_CACHE = {"Cache-Control": "private, max-age=60"}


def request_id_of(request: Request | None) -> str | None:
    if request is None:
        return None
    rid = (request.context or {}).get("requestId")
    if rid:
        return str(rid)
    lambda_context = getattr(request, "lambda_context", None)
    return getattr(lambda_context, "aws_request_id", None)


def correlation_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Correlate logs by request id: API Gateway's, or the invocation id where the local
    gateway gives none. A key of this invocation only (observability.invocation_log_keys)."""
    logger.thread_safe_append_keys(correlation_id=request_id_of(event))
    return get_response(event)


def field_errors_of(exc: ValidationError) -> list[dict[str, Any]]:
    # Only loc and msg: pydantic's "input" would echo the caller's data (possibly personal).
    return [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)]


def invalid_input(exc: ValidationError) -> InvalidInput:
    fields = field_errors_of(exc)
    noun = "field is" if len(fields) == 1 else "fields are"
    return InvalidInput(f"{len(fields)} {noun} invalid", fields)


def page_order_id(raw: str) -> str:
    """The order id of a customer page's path (the tracking, return and rating pages)."""
    from chalicelib.models.orders import ORDER_ID_PATTERN

    if not re.fullmatch(ORDER_ID_PATTERN, raw):
        raise NotFound("no such order")  # a page: the link is broken, not the request
    return raw


def raw_body(request: Request) -> bytes:
    raw = request.raw_body or b""
    return raw.encode() if isinstance(raw, str) else raw


def form_fields(request: Request) -> dict[str, str]:
    """A page's urlencoded form: each field's first value, blank ones included; bytes that are
    no UTF-8 read as U+FFFD, so a mangled form is refused by the route, not a crash."""
    body = raw_body(request).decode("utf-8", "replace")
    return {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}


def parse_body(request: Request, model: type[M]) -> M:
    """Validate the body as `model` in pydantic's strict JSON mode: JSON types are taken as
    they are (`true` is no quantity, `0` no date, `"yes"` no boolean), and its parser refuses
    nesting deeper than 200 levels where json.loads would raise RecursionError.
    """
    try:
        return validate_json(model, raw_body(request))
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def parse_query(params: dict[str, str] | None, model: type[M]) -> M:
    try:
        return model.model_validate(params or {})
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def json_response(
    model: BaseModel | dict[str, Any] | str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    keep_nulls: bool = False,
) -> Response:
    """A JSON answer from a model, plain values, or text a service has already serialised.

    Fields that are None are left out, unless ``keep_nulls``: for models whose schema requires
    a field that may be null (a report's mean without any ratings), so the answer states it.
    """
    if isinstance(model, str):
        body = model
    elif isinstance(model, BaseModel):
        body = model.model_dump_json(exclude_none=not keep_nulls)
    else:
        body = to_json(model).decode()  # pydantic's serialiser: a third of json.dumps' time
    return Response(
        body=body, status_code=status, headers={"Content-Type": JSON, **(headers or {})}
    )
