"""The delivery promise: stateless quotes for the product page, the cart and the checkout."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint
from chalice.app import Response
from pydantic import ValidationError

from chalicelib import deps
from chalicelib.api.http import invalid_input, json_response, parse_body
from chalicelib.api.routing import Operation, route
from chalicelib.models.promise import QuoteQuery, QuoteRequest, QuoteResponse

promise_bp = Blueprint(__name__)


@route(
    promise_bp,
    Operation(
        "/v1/promise/quote", "POST", "Quote shipping options with exact delivery dates",
        "promise", request=QuoteRequest, response=QuoteResponse,
    ),
    cors=True,
)  # fmt: skip
def quote_post() -> Response:
    request = parse_body(promise_bp.current_request, QuoteRequest)
    return json_response(deps.quote_service().quote(request, datetime.now(UTC)).body)


@route(
    promise_bp,
    Operation(
        "/v1/promise/quote", "GET", "Quote for a product page (cacheable until the next cut-off)",
        "promise", query=QuoteQuery, response=QuoteResponse,
    ),
    cors=True,
)  # fmt: skip
def quote_get() -> Response:
    params = dict(promise_bp.current_request.query_params or {})
    try:
        request = QuoteRequest.from_query(params)
    except ValidationError as exc:
        raise invalid_input(exc) from exc
    now = datetime.now(UTC)
    answer = deps.quote_service().quote(request, now)
    max_age = answer.cache_max_age(now)
    return json_response(answer.body, headers={"Cache-Control": f"public, max-age={max_age}"})
