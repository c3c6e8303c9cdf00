"""The delivery promise: stateless quotes for the product page, the cart and the checkout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from chalice import Blueprint
from chalice.app import Response
from pydantic import ValidationError

from chalicelib import deps
from chalicelib.api.http import invalid_input, json_response, parse_body
from chalicelib.api.routing import Operation, route
from chalicelib.models.promise import QuoteQuery, QuoteRequest, QuoteResponse
from chalicelib.settings import get_secrets, get_settings

if TYPE_CHECKING:
    from chalicelib.services.promise import Quote

promise_bp = Blueprint(__name__)


def _quote(request: QuoteRequest, now: datetime) -> Quote:
    # Loaded by the first quote (the engine and its holiday calendars), not at import.
    from chalicelib.services.promise import quote_body

    return quote_body(
        request,
        now=now,
        token_secret=get_secrets().token_secret,
        token_ttl=timedelta(seconds=get_settings().promise_token_ttl_seconds),
        config=deps.promise_config(),
    )


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
    return json_response(_quote(request, datetime.now(UTC)).body)


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
    answer = _quote(request, now)
    from chalicelib.services.promise import quote_cache_max_age

    max_age = quote_cache_max_age(answer.cutoffs, now=now)
    return json_response(answer.body, headers={"Cache-Control": f"public, max-age={max_age}"})
