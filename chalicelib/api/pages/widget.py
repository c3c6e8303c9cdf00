"""The product-page widget: the quote for one product as a small, script-free HTML document for
an iframe or a server-side include. It names no customer, so a shared cache may keep it until
the first cut-off; only the shop's own origins (PK_WIDGET_FRAME_ANCESTORS) may frame it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.http import parse_query
from chalicelib.api.pages.routes import html_errors
from chalicelib.api.routing import Operation, lazy_model, route
from chalicelib.domain.page_language import accepted_languages, page_language
from chalicelib.observability import logger
from chalicelib.settings import get_settings

widget_bp = Blueprint(__name__)
PATH = "/v1/pages/promise"
# A CSP host-source of the shop: scheme, host (a leading "*." for its subdomains), port. Anything
# else would let a setting write other directives into the header.
ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")


def frame_ancestors(origins: Iterable[str]) -> str:
    """The CSP frame-ancestors sources: the well-formed origins; none at all is 'none'."""
    kept: list[str] = []
    refused: list[str] = []
    for origin in origins:
        (kept if ORIGIN.fullmatch(origin) else refused).append(origin)
    if refused:
        logger.warning("widget frame ancestors ignored: not an origin", ignored=len(refused))
    return " ".join(kept) or "'none'"


@route(
    widget_bp,
    Operation(
        PATH, "GET",
        "The product-page widget: each method's price and dates in words for one product, "
        "script-free HTML for an iframe or an include, cacheable until the next cut-off",
        "pages", query=lazy_model("search.WidgetQuery"), html=True,
        errors=("validation_error",),
    ),
)  # fmt: skip
def promise_widget() -> Response:
    from chalicelib.api.pages.render import content_security_policy  # Jinja2: first page only

    ancestors = frame_ancestors(get_settings().widget_frame_ancestors)
    request = widget_bp.current_request
    params = dict(request.query_params or {})
    lang = page_language(
        params.get("lang"), *accepted_languages(request.headers.get("accept-language"))
    )
    response = _widget(params, lang, ancestors)
    # An error page is framed where the widget is, so the shop shows it rather than a refusal.
    response.headers["Content-Security-Policy"] = content_security_policy(ancestors)
    return response


@html_errors
def _widget(params: dict[str, str], lang: str, ancestors: str) -> Response:
    from chalicelib.models.search import WidgetQuery

    query = parse_query(params, WidgetQuery)
    now = datetime.now(UTC)
    widget = deps.published_promise().widget(
        query.country, query.postal_code, query.sku, query.quantity, query.at or now, now
    )
    return deps.page_renderer().promise_widget(widget, lang, ancestors)
