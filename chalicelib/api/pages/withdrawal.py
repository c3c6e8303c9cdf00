"""The withdrawal function (Art. 11a of Directive 2011/83/EU, § 356a BGB): the one customer page
without a token. Step one asks for name, order number and e-mail address (and, where a link's
token identifies the order, lets the consumer choose items); step two shows what will be
declared with the button "Widerruf bestätigen"; the confirmation records the declaration and
shows the time of receipt — or, if it could not be stored, says so (503), never "received".

Every answer is the same whether or not the order number and address match an order: the
receipt names only what the consumer entered, and its time is stated in the shop's zone.
Plain forms posting back here, no script, the pages' Content Security Policy.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalice import Blueprint
from chalice.app import Response
from pydantic import ValidationError

from chalicelib import deps
from chalicelib.api.http import FORM, form_fields
from chalicelib.api.pages.texts import TEXTS
from chalicelib.api.routing import Operation, route
from chalicelib.api.withdrawals import count_declared
from chalicelib.domain import errors
from chalicelib.domain.page_language import accepted_languages, page_language
from chalicelib.settings import get_settings

withdrawal_page_bp = Blueprint(__name__)
PATH = "/v1/pages/withdrawal"
FIELDS = ("name", "order_id", "email")
QUANTITY = re.compile(r"[0-9]{1,3}")
ORDER_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # models/orders.py, not loaded with the app

# The fields the forms post, as the routes read them (a form's values are text).
WITHDRAWAL_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["name", "order_id", "email"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "order_id": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
        "email": {"type": "string", "maxLength": 254},
        "lang": {"type": "string"},
        "token": {"type": "string", "maxLength": 200},
    },
    "patternProperties": {"^item\\.": {"type": "string", "pattern": "^[0-9]{1,3}$"}},
}
# The summary's "change" button posts back what the summary holds, as it was: the form is shown
# again to be corrected, and step one checks it again, so nothing here is refused.
WITHDRAWAL_EDIT_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {name: {"type": "string"} for name in WITHDRAWAL_FORM["properties"]},
    "patternProperties": {"^item\\.": {"type": "string"}},
}


def _lang(asked: str | None) -> str:
    browser = accepted_languages(withdrawal_page_bp.current_request.headers.get("accept-language"))
    return page_language(asked, *browser)


def _order_lines(order_id: str | None, token: str | None) -> dict[str, tuple[str, int]]:
    """The order's items (name, quantity) by SKU when the link's token is the order's own;
    nothing otherwise (the form never shows what the link does not already grant)."""
    from chalicelib.services.customer_access import authorized_order  # with the first link

    if not order_id or not token or not ORDER_ID.fullmatch(order_id):
        return {}
    try:
        stored = authorized_order(
            deps.customer_tokens(), deps.order_repository().get, order_id, token, datetime.now(UTC)
        )
    except (errors.Unauthorized, errors.Forbidden, errors.NotFound):
        return {}
    lines: dict[str, tuple[str, int]] = {}
    for item in stored.record.items:
        _, known = lines.get(item.sku, ("", 0))
        lines[item.sku] = (item.name or item.sku, known + item.quantity)
    return lines


def _chosen(form: dict[str, str]) -> list[dict[str, Any]]:
    items = []
    for name, value in form.items():
        sku = name.removeprefix("item.")
        if sku != name and value:
            quantity: object = int(value) if QUANTITY.fullmatch(value) else value
            items.append({"sku": sku, "quantity": quantity})
    return items


def _lines(items: list[dict[str, Any]], known: dict[str, tuple[str, int]]) -> list[dict[str, Any]]:
    return [
        {"sku": i["sku"], "quantity": i["quantity"], "name": known.get(i["sku"], (i["sku"], 0))[0]}
        for i in items
    ]


def _form_page(
    lang: str, values: dict[str, str], token: str | None, problems: tuple[str, ...] = ()
) -> Response:
    known = _order_lines(values.get("order_id"), token)
    lines = [{"sku": sku, "name": name, "quantity": q} for sku, (name, q) in known.items()]
    return deps.page_renderer().page(
        "withdrawal_form.html", lang, status=422 if problems else 200,
        values=values, token=token if known else None, lines=lines, problems=problems,
        switch=f"?lang={_other(lang)}",
    )  # fmt: skip


def _other(lang: str) -> str:
    return str(TEXTS[lang]["switch_lang"])


def _parse(form: dict[str, str]) -> Any:
    """The form as the JSON route's request, or InvalidInput naming the fields at fault."""
    from chalicelib.models.withdrawals import WithdrawalRequest

    body = {
        **{f: form.get(f, "") for f in FIELDS},
        "items": _chosen(form) or None,
        "locale": form.get("lang") or None,
    }
    try:
        return WithdrawalRequest.model_validate(body)
    except ValidationError as exc:
        fields = dict.fromkeys(_field(e["loc"]) for e in exc.errors(include_url=False))
        problems: list[dict[str, object]] = [{"loc": [f], "msg": "invalid"} for f in fields]
        raise errors.InvalidInput("the form is incomplete", problems) from exc


def _field(loc: tuple[Any, ...]) -> str:
    first = str(loc[0]) if loc else "name"
    return first if first in FIELDS else "items"


def _problems(exc: errors.InvalidInput) -> tuple[str, ...]:
    return tuple(str(loc[0]) for e in exc.errors if isinstance(loc := e.get("loc"), list) and loc)


@route(
    withdrawal_page_bp,
    Operation(
        PATH, "GET",
        "The withdrawal function (no login): name, order number and e-mail, and the button "
        "\"Vertrag widerrufen\"; with ?order_id=…&token=… the order's items to choose from",
        "pages", html=True,
    ),
)  # fmt: skip
def withdrawal_page() -> Response:
    params = dict(withdrawal_page_bp.current_request.query_params or {})
    order_id = params.get("order_id", "")
    values = {"order_id": order_id} if ORDER_ID.fullmatch(order_id) else {}
    return _form_page(_lang(params.get("lang")), values, params.get("token"))


@route(
    withdrawal_page_bp,
    Operation(
        PATH, "POST",
        "Step one's form: the summary of what will be declared, with the button \"Widerruf "
        "bestätigen\"; or the form again with the error at each field",
        "pages", html=True, errors=("validation_error",), form=WITHDRAWAL_FORM,
    ),
    content_types=[FORM],
)  # fmt: skip
def review_withdrawal() -> Response:
    form = form_fields(withdrawal_page_bp.current_request)
    lang = _lang(form.get("lang"))
    token = form.get("token") or None
    try:
        request = _parse(form)
    except errors.InvalidInput as exc:
        return _form_page(lang, form, token, _problems(exc))
    return _review_page(lang, request, token)


def _review_page(lang: str, request: Any, token: str | None, status: int = 200) -> Response:
    items = [{"sku": i.sku, "quantity": i.quantity} for i in request.items or ()]
    known = _order_lines(request.order_id, token)
    values = {"name": request.name, "order_id": request.order_id, "email": request.email}
    return deps.page_renderer().page(
        "withdrawal_review.html", lang, status=status, values=values,
        lines=_lines(items, known), token=token if known else None,
        not_received=status == 503,
    )  # fmt: skip


@route(
    withdrawal_page_bp,
    Operation(
        f"{PATH}/edit", "POST",
        "The summary's \"change\" button: step one's form again, filled in", "pages",
        html=True, form=WITHDRAWAL_EDIT_FORM,
    ),
    content_types=[FORM],
)  # fmt: skip
def edit_withdrawal() -> Response:
    form = form_fields(withdrawal_page_bp.current_request)
    return _form_page(_lang(form.get("lang")), form, form.get("token") or None)


@route(
    withdrawal_page_bp,
    Operation(
        f"{PATH}/confirm", "POST",
        "The summary's \"Widerruf bestätigen\": records the declaration and shows the time of "
        "receipt; 503 (\"not received\") when it could not be stored",
        "pages", status=201, html=True, errors=("validation_error", "service_unavailable"),
        extra_statuses={200: "The same declaration was recorded within the hour"},
        form=WITHDRAWAL_FORM,
    ),
    content_types=[FORM],
)  # fmt: skip
def confirm_withdrawal() -> Response:
    from chalicelib.services.withdrawal_mail import receipt_time
    from chalicelib.services.withdrawal_views import declaration_of

    form = form_fields(withdrawal_page_bp.current_request)
    lang = _lang(form.get("lang"))
    token = form.get("token") or None
    try:
        request = _parse(form)
    except errors.InvalidInput as exc:
        return _form_page(lang, form, token, _problems(exc))
    try:
        declared = deps.withdrawal_service().declare(declaration_of(request))
    except errors.NotRecorded:
        return _review_page(lang, request, token, status=503)
    record = declared.record
    if declared.created:
        count_declared(record.matched)
    # The shop's zone for everyone: the order's own would tell a prober the order exists.
    when = receipt_time(record.received_at, ZoneInfo(get_settings().withdrawal_time_zone), lang)
    items = [{"sku": i.sku, "quantity": i.quantity} for i in record.declaration.items]
    return deps.page_renderer().page(
        "withdrawal_received.html", lang, status=201 if declared.created else 200,
        received_at=when, name=record.declaration.name, order_id=record.declaration.order_id,
        email=record.declaration.email, withdrawal_id=record.withdrawal_id,
        lines=_lines(items, _order_lines(request.order_id, token)),
        acknowledged=record.acknowledgement == "sent",
    )  # fmt: skip
