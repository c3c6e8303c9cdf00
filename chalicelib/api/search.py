"""The promise for search engines and Merchant Center: public, cacheable reads of the statement
the quote's rules make (services/published.py), as schema.org JSON-LD or Merchant API fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalice import Blueprint, CORSConfig
from chalice.app import Response
from pydantic_core import to_json

from chalicelib import deps
from chalicelib.api.http import parse_query
from chalicelib.api.routing import Operation, lazy_model, route

search_bp = Blueprint(__name__)
JSON_LD = "application/ld+json"
# Which holidays the dates behind a statement skip, as the quote's explain names them:
# "holidays:DE-BE", or "holidays:DE" when the postal code is not in the subdivision table.
CALENDAR_HEADER = "X-Promise-Calendar"
# A storefront's script may read the calendar header too, not only the body.
CORS = CORSConfig(allow_origin="*", expose_headers=[CALENDAR_HEADER])


def _params() -> dict[str, str]:
    return dict(search_bp.current_request.query_params or {})


def _answer(document: dict[str, Any], max_age: int, media_type: str, **headers: str) -> Response:
    return Response(
        body=to_json(document).decode(),
        status_code=200,
        headers={
            "Content-Type": media_type,
            "Cache-Control": f"public, max-age={max_age}",
            **headers,
        },
    )


@route(
    search_bp,
    Operation(
        "/v1/promise/shipping-details", "GET",
        "schema.org OfferShippingDetails per method for a destination (JSON-LD), cacheable "
        "until the next cut-off",
        "search", query=lazy_model("search.ShippingDetailsQuery"),
        response=lazy_model("search.ShippingDetails"), media_type=JSON_LD,
    ),
    cors=CORS,
)  # fmt: skip
def shipping_details() -> Response:
    from chalicelib.models.search import ShippingDetailsQuery

    query = parse_query(_params(), ShippingDetailsQuery)
    now = datetime.now(UTC)
    published = deps.published_promise().shipping_details(
        query.country, query.postal_code, query.sku, query.at or now, now
    )
    headers = {}
    if published.times is not None and published.times.postal_code is not None:
        headers[CALENDAR_HEADER] = f"holidays:{published.times.calendar}"
    return _answer(published.document, published.max_age, JSON_LD, **headers)


@route(
    search_bp,
    Operation(
        "/v1/promise/merchant-center", "GET",
        "Merchant Center delivery times per method for a country: the Merchant API's shipping "
        "service fields, to enter or upload",
        "search", query=lazy_model("search.MerchantCenterQuery"),
        response=lazy_model("search.MerchantCenterTimes"),
    ),
    cors=True,
)  # fmt: skip
def merchant_center() -> Response:
    from chalicelib.models.search import MerchantCenterQuery

    query = parse_query(_params(), MerchantCenterQuery)
    now = datetime.now(UTC)
    published = deps.published_promise().merchant_center(query.country, now, now)
    return _answer(published.document, published.max_age, "application/json")


@route(
    search_bp,
    Operation(
        "/v1/returns/policy", "GET",
        "The return policy as schema.org MerchantReturnPolicy (JSON-LD)",
        "search", query=lazy_model("search.ReturnPolicyQuery"),
        response=lazy_model("search.MerchantReturnPolicy"), media_type=JSON_LD,
    ),
    cors=True,
)  # fmt: skip
def return_policy() -> Response:
    from chalicelib.models.search import ReturnPolicyQuery

    query = parse_query(_params(), ReturnPolicyQuery)
    published = deps.published_promise().return_policy_document(query.country, query.sku)
    return _answer(published.document, published.max_age, JSON_LD)
