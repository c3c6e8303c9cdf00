"""The customer's pages behind the links of every notification: the tracking page, the return
request and a return's status. Each answers HTML, errors included (a customer who opens a broken
link reads a page, not JSON), with the status the JSON API would give.

The return form posts to its own page, as the rating page's form does (no script, so the strict
Content Security Policy holds): the route asks the return service the JSON route asks, with the
token of the form's body, and answers See Other to the new return's page, or the form again with
the refusal in the customer's words.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from chalice.app import Response
from pydantic import ValidationError

from chalicelib import deps
from chalicelib.api.http import FORM, form_fields, invalid_input, page_order_id
from chalicelib.api.routing import Operation, route
from chalicelib.domain import errors
from chalicelib.domain.page_language import accepted_languages, page_language
from chalicelib.observability import logger, metrics

if TYPE_CHECKING:
    # The models load with the first page that reads them, not with `import app` (every
    # function's cold start: docs/performance.md).
    from chalicelib.models import returns as returns_api

pages_bp = Blueprint(__name__)
TRACKING = "/v1/pages/orders/{order_id}"
RETURN_FORM = "/v1/pages/orders/{order_id}/return"
RETURN_STATUS = "/v1/pages/returns/{return_id}"
RETURN_ID = re.compile(r"R[0-9A-F]{12}")
QUANTITY = re.compile(r"[0-9]{1,3}")


def html_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    """A refusal (no token, another order's token, nothing there) answers an error page in the
    language asked for, or the browser's, with the status the JSON API would give."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except errors.DomainError as exc:
            return deps.page_renderer().error(exc, _request_language())

    return wrapper


def _request_language() -> str:
    request = pages_bp.current_request
    browser = accepted_languages(request.headers.get("accept-language"))
    asked = _params().get("lang")
    if asked is None and request.method == "POST":  # a page's form carries its language
        asked = form_fields(request).get("lang")
    return page_language(asked, *browser)


def _params() -> dict[str, str]:
    return dict(pages_bp.current_request.query_params or {})


def _order_id(raw: str) -> str:
    order_id = page_order_id(raw)
    logger.thread_safe_append_keys(order_id=order_id)
    return order_id


@route(
    pages_bp,
    Operation(
        TRACKING, "GET",
        "The tracking page (customer token): the promise, each parcel with its events, the "
        "order's returns, links to rate and to return",
        "pages", html=True, auth="customer", errors=("not_found",),
    ),
)  # fmt: skip
@html_errors
def tracking_page(order_id: str) -> Response:
    order_id = _order_id(order_id)
    params = _params()
    page = deps.customer_pages().tracking(order_id, params.get("token"))
    lang = page_language(params.get("lang"), page.reader.locale)
    return deps.page_renderer().tracking(page, lang, params["token"])


@route(
    pages_bp,
    Operation(
        RETURN_FORM, "GET",
        "The return request page (customer token): what may still go back, and a form",
        "pages", html=True, auth="customer", errors=("not_found",),
    ),
)  # fmt: skip
@html_errors
def return_form_page(order_id: str) -> Response:
    order_id = _order_id(order_id)
    params = _params()
    form = deps.customer_pages().return_form(order_id, params.get("token"))
    lang = page_language(params.get("lang"), form.reader.locale)
    # The form's Idempotency-Key: a double click or a resent form opens one return.
    key = secrets.token_urlsafe(16)
    return deps.page_renderer().return_form(form, lang, params["token"], key)


@route(
    pages_bp,
    Operation(
        RETURN_FORM, "POST",
        "Request a return from the return page's form (as POST /v1/orders/{order_id}/returns "
        "with the token); See Other to the return's page, or the form with the refusal",
        "pages", status=303, html=True,  # the token is a field of the form, not in the URL
        errors=("unauthorized", "forbidden", "not_found", "return_not_allowed",
                "validation_error"),
    ),
    content_types=[FORM],
)  # fmt: skip
@html_errors
def submit_return_page(order_id: str) -> Response:
    order_id = _order_id(order_id)
    form = form_fields(pages_bp.current_request)
    token = form.get("token") or ""
    pages = deps.customer_pages()
    try:
        request = _return_request(form)
        view, created = pages.request_return(order_id, request, _idempotency_key(form.get("key")))
    except (errors.InvalidInput, errors.ReturnNotAllowed) as exc:
        shown = pages.return_form(order_id, token)  # a wrong token is refused here, not shown
        lang = page_language(form.get("lang"), shown.reader.locale)
        key = form.get("key") or secrets.token_urlsafe(16)
        return deps.page_renderer().return_form(shown, lang, token, key, chosen=form, problem=exc)
    if created:  # a resent form answers the return it opened, and counts once
        metrics.add_metric(name="ReturnsRequested", unit="Count", value=1)
    return deps.page_renderer().return_created(view, page_language(form.get("lang")), token)


@route(
    pages_bp,
    Operation(
        RETURN_STATUS, "GET",
        "A return's page (the order's customer token): its status history until the refund, "
        "and the return parcel's label and tracking",
        "pages", html=True, auth="customer", errors=("not_found",),
    ),
)  # fmt: skip
@html_errors
def return_status_page(return_id: str) -> Response:
    params = _params()
    if not RETURN_ID.fullmatch(return_id):
        raise errors.NotFound("no such return")
    page = deps.customer_pages().return_status(return_id, params.get("token"))
    logger.thread_safe_append_keys(order_id=page.view.order_id)
    lang = page_language(params.get("lang"), page.reader.locale)
    return deps.page_renderer().return_status(page, lang, params["token"])


def _return_request(form: dict[str, str]) -> returns_api.ReturnRequest:
    """The form's chosen lines (quantity above 0) as the JSON route's request body."""
    from chalicelib.models import returns as returns_api

    items: list[dict[str, object]] = []
    for name, value in form.items():
        sku = name.removeprefix("quantity.")
        if sku == name or value in ("", "0"):
            continue
        line = {
            "sku": sku,
            "quantity": int(value) if QUANTITY.fullmatch(value) else value,
            "reason": form.get(f"reason.{sku}") or None,
            "note": form.get(f"note.{sku}") or None,
        }
        items.append({k: v for k, v in line.items() if v is not None})
    body = {"items": items, "resolution": form.get("resolution"), "token": form.get("token")}
    try:
        return returns_api.ReturnRequest.model_validate(body)
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def _idempotency_key(raw: str | None) -> str | None:
    from chalicelib.models import returns as returns_api

    try:
        return returns_api.IdempotencyHeader.model_validate({"Idempotency-Key": raw}).key
    except ValidationError:
        return None  # a form without a usable key still opens its return, once per post
