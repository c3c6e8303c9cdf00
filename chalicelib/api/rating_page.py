"""The rating page behind the ten links of the delivered e-mail: a click opens it with the score
preselected, and only its form's POST records the rating — mail scanners follow links, and a
scanner's GET must never rate an order. Server-rendered with autoescaping, one template, in the
pages' Jinja2 environment.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from chalice.app import Response
from pydantic import ValidationError

from chalicelib import deps
from chalicelib.api.feedback import record_metrics
from chalicelib.api.http import FORM, HTML, form_fields, invalid_input, page_order_id
from chalicelib.api.problems import PROBLEM_TYPES, domain_code
from chalicelib.api.routing import Operation, route
from chalicelib.domain import errors
from chalicelib.domain.page_language import page_language
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.models.feedback import FeedbackRequest

rating_page_bp = Blueprint(__name__)
PATH = "/v1/pages/orders/{order_id}/rating"
# The token is in the page's URL: never stored, never named to another site; no script at all.
PAGE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
}

TEXTS: dict[str, dict[str, Any]] = {
    "de": {
        "title": "Wie war deine Lieferung?",
        "question": "Wie zufrieden bist du mit deiner Bestellung {order_id}?",
        "legend": "Deine Bewertung von 1 bis 10",
        "worst": "1 – gar nicht",
        "best": "10 – voll und ganz",
        "comment": "Möchtest du uns noch etwas sagen? (freiwillig)",
        "submit": "Bewertung senden",
        "thanks": "Danke für deine Bewertung!",
        "thanks_text": "Du hast deiner Bestellung eine {rating} gegeben. Du kannst sie 14 Tage "
        "lang ändern.",
        "refused": "Das hat leider nicht geklappt",
        "why": {
            "validation_error": "Bitte wähle eine Bewertung von 1 bis 10 (ein Kommentar hat "
            "höchstens 2.000 Zeichen).",
            "unauthorized": "Dieser Link ist unvollständig. Bitte öffne ihn aus deiner E-Mail "
            "noch einmal.",
            "forbidden": "Dieser Link passt nicht zu dieser Bestellung.",
            "not_found": "Diese Bestellung gibt es nicht.",
            "not_delivered": "Deine Bestellung ist noch nicht zugestellt.",
            "already_rated": "Deine Bewertung lässt sich nicht mehr ändern.",
        },
    },
    "en": {
        "title": "How was your delivery?",
        "question": "How happy are you with your order {order_id}?",
        "legend": "Your rating from 1 to 10",
        "worst": "1 – not at all",
        "best": "10 – completely",
        "comment": "Anything else you would like to tell us? (optional)",
        "submit": "Send rating",
        "thanks": "Thank you for your rating!",
        "thanks_text": "You gave your order a {rating}. You can change it for 14 days.",
        "refused": "Sorry, that did not work",
        "why": {
            "validation_error": "Please choose a rating from 1 to 10 (a comment has at most "
            "2,000 characters).",
            "unauthorized": "This link is incomplete. Please open it from your e-mail again.",
            "forbidden": "This link does not fit this order.",
            "not_found": "There is no such order.",
            "not_delivered": "Your order has not been delivered yet.",
            "already_rated": "Your rating can no longer be changed.",
        },
    },
}


def _lang(value: str | None) -> str:
    return value if value in TEXTS else "de"


def _page(status: int, **context: Any) -> Response:
    context.setdefault("outcome", None)
    lang = _lang(context.pop("lang", None))
    body = deps.page_renderer().rating(lang=lang, t=TEXTS[lang], **context)
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": HTML, **PAGE_HEADERS},
    )


def _refused(exc: errors.DomainError, lang: str) -> Response:
    code = domain_code(exc)
    kind = PROBLEM_TYPES[code]
    t = TEXTS[_lang(lang)]
    # In the page's language; a refusal it has no words for keeps the problem's own title.
    outcome = {"heading": t["refused"], "text": t["why"].get(code, kind.title)}
    return _page(kind.status, lang=lang, outcome=outcome)


# The fields the rating form posts, as the route reads them (a form's values are text).
RATING_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["token", "rating"],
    "properties": {
        "token": {"type": "string", "minLength": 1, "maxLength": 200},
        "rating": {"type": "string", "pattern": "^(0?[1-9]|10)$"},
        "comment": {"type": "string", "maxLength": 2000},  # COMMENT_MAX, not imported with app
        "lang": {"type": "string"},
    },
}


@route(
    rating_page_bp,
    Operation(
        PATH, "GET", "The rating page (customer token): a form with the score preselected",
        "pages", html=True, auth="customer", errors=("not_found",),
    ),
)  # fmt: skip
def rating_page(order_id: str) -> Response:
    params = dict(rating_page_bp.current_request.query_params or {})
    token = params.get("token")
    service = deps.feedback_service()
    requested = params.get("lang")
    try:
        page_order_id(order_id)
        service.authorize(order_id, token)
        ordered_in = service.language_of(order_id)
        if ordered_in is None:  # a valid token for an order this shop does not have
            raise errors.NotFound("order not found")
    except errors.DomainError as exc:
        return _refused(exc, _lang(requested))
    # ?lang= switches between the page's languages; anything else: the order's own, and for a
    # language the pages do not speak the one the other customer pages fall back to.
    lang = page_language(requested, ordered_in)
    raw_score = params.get("score", "")
    score = int(raw_score) if re.fullmatch(r"(10|[1-9])", raw_score) else None
    # The form posts to the page's own path, relative: right behind a stage prefix too.
    return _page(200, lang=lang, order_id=order_id, token=token, score=score, action="rating")


@route(
    rating_page_bp,
    Operation(
        PATH, "POST", "Record the rating sent from the rating page's form", "pages",
        status=201, html=True,  # the token is a field of the form, not in the URL
        errors=("unauthorized", "forbidden", "not_found", "not_delivered", "already_rated",
                "validation_error"),
        extra_statuses={200: "The rating was changed"}, form=RATING_FORM,
    ),
    content_types=[FORM],
)  # fmt: skip
def submit_rating_page(order_id: str) -> Response:
    form = form_fields(rating_page_bp.current_request)
    lang = _lang(form.get("lang"))
    try:
        page_order_id(order_id)
        logger.thread_safe_append_keys(order_id=order_id)
        request = _request(order_id, form)
        recorded = deps.feedback_service().record(request)
    except errors.DomainError as exc:
        return _refused(exc, lang)
    record_metrics(request.rating)
    text = TEXTS[lang]["thanks_text"].format(rating=request.rating)
    outcome = {"heading": TEXTS[lang]["thanks"], "text": text}
    return _page(201 if recorded.created else 200, lang=lang, outcome=outcome)


def _request(order_id: str, form: dict[str, str]) -> FeedbackRequest:
    from chalicelib.models import feedback as api

    rating: object = form.get("rating")
    if isinstance(rating, str) and re.fullmatch(r"[0-9]{1,2}", rating):
        rating = int(rating)  # a form sends text; only whole numbers become a rating
    try:
        return api.FeedbackRequest.model_validate(
            {"order_id": order_id, "token": form.get("token"), "rating": rating,
             "comment": form.get("comment") or None}
        )  # fmt: skip
    except ValidationError as exc:
        raise invalid_input(exc) from exc
