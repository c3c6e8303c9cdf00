"""Renders the customer's pages: Jinja2 with autoescaping, the pages' words and date formats, and
the headers every page carries. Reached through ``deps.page_renderer()`` so that Jinja2 loads
with the first page, not with the app.

The customer's token is in every page's URL: the answers are never stored (``no-store``), never
named to another site (``no-referrer``, the carrier's link included), and a strict Content
Security Policy allows no script at all, only the pages' own style (by its hash) and forms that
post back here.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from chalice.app import Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from chalicelib.api.http import HTML
from chalicelib.api.pages.texts import TEXTS
from chalicelib.api.problems import PROBLEM_TYPES, domain_code
from chalicelib.channels.render import carrier_name, format_date, format_window
from chalicelib.domain import errors
from chalicelib.domain.carrier_links import carrier_tracking_url
from chalicelib.domain.promise.engine import MethodPromise
from chalicelib.domain.returns import ReturnableSku, ReturnRefused
from chalicelib.domain.withdrawals import period
from chalicelib.models.returns import ReturnView
from chalicelib.services.pages import Reader, ReturnForm, ReturnPage, TrackingPage
from chalicelib.services.published import PromiseWidget
from chalicelib.settings import get_settings

TEMPLATES = Path(__file__).parent.parent / "page_templates"

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem;
  color: #18181b; line-height: 1.45; }
nav { text-align: right; font-size: .9rem; }
section { border: 1px solid #d4d4d8; border-radius: .5rem; padding: .75rem 1rem; margin: 1rem 0; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin: .25rem 0; }
.state { display: inline-block; border-radius: 1rem; padding: .1rem .6rem; background: #e4e4e7; }
.state.late, .state.broken, .state.exception, .state.rejected { background: #fecaca; }
.state.at_risk, .state.failed_attempt { background: #fde68a; }
.state.kept, .state.delivered, .state.refunded, .state.on_track { background: #bbf7d0; }
.muted { color: #52525b; font-size: .9rem; }
ol.events { list-style: none; padding: 0; } ol.events li { margin: .4rem 0; }
table { width: 100%; border-collapse: collapse; } td, th { text-align: left; padding: .3rem; }
.problem { border-color: #dc2626; }
label { display: block; margin: .75rem 0 .2rem; }
input[type=text], input[type=email] { width: 100%; }
.field-error { color: #b91c1c; margin: .2rem 0; }
img.qr { max-width: 12rem; }
ul.promise { list-style: none; padding: 0; } ul.promise li { margin: .6rem 0; }
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """No script, only the pages' own style; framed by no one, but for the product-page widget
    (its shop's origins)."""
    return (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src data:; "
        f"form-action 'self'; base-uri 'none'; frame-ancestors {frame_ancestors}"
    )


CONTENT_SECURITY_POLICY = content_security_policy()
HEADERS = {
    "Content-Type": HTML,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Formats:
    """Dates, instants and money in the page's language, instants in the reader's zone."""

    lang: str
    zone: ZoneInfo

    def day(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.zone).date()
        return format_date(value, self.lang)

    def instant(self, value: datetime) -> str:
        local = value.astimezone(self.zone)
        return f"{format_date(local.date(), self.lang, 'short')}, {local:%H:%M}"

    def window(self, earliest: date, latest: date) -> str:
        return format_window(earliest, latest, self.lang)  # the notifications' words

    def money(self, amount: object, currency: str) -> str:
        text = f"{amount}"
        return f"{text.replace('.', ',') if self.lang == 'de' else text} {currency}"

    def carrier(self, code: str) -> str:
        return carrier_name(code)

    def carrier_link(self, code: str, tracking_number: str) -> str | None:
        return carrier_tracking_url(code, tracking_number, self.lang)


def _query(token: str, lang: str) -> str:
    return urlencode({"token": token, "lang": lang})


def _segment(value: str) -> str:
    return quote(value, safe="")


class PageRenderer:
    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,  # product names, carrier texts and ids are the shop's or carrier's
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )

    def tracking(self, page: TrackingPage, lang: str, token: str) -> Response:
        order_id = _segment(page.order.order_id)
        query = _query(token, lang)
        open_skus = [s for s in page.returnable if s.left > 0]
        return self._page(
            "tracking.html", lang, page.reader,
            order=page.order,
            switch=f"?{_query(token, TEXTS[lang]['switch_lang'])}",
            rating_url=f"{order_id}/rating?{query}" if page.may_rate else None,
            return_url=f"{order_id}/return?{query}" if open_skus else None,
            return_until=max((s.until for s in open_skus if s.until), default=None),
            return_urls={
                r.return_id: f"../returns/{_segment(r.return_id)}?{query}"
                for r in page.order.returns
            },
            withdrawal_url=f"../withdrawal?{urlencode({'order_id': page.order.order_id})}&{query}"
            if _may_withdraw(page) else None,
        )  # fmt: skip

    def return_form(
        self,
        form: ReturnForm,
        lang: str,
        token: str,
        key: str,
        *,
        chosen: Mapping[str, str] | None = None,
        problem: errors.DomainError | None = None,
    ) -> Response:
        return self._page(
            "return_form.html", lang, form.reader,
            status=_status(problem) if problem else 200,
            order_id=form.order_id,
            lines=[_line(s, form.names) for s in form.returnable],
            any_open=any(s.left > 0 for s in form.returnable),
            token=token, key=key, chosen=chosen or {},
            problems=_problem_lines(problem, lang, form.names) if problem else [],
            problem_heading=TEXTS[lang][
                "refused" if isinstance(problem, errors.ReturnNotAllowed) else "invalid"
            ],
            switch=f"?{_query(token, TEXTS[lang]['switch_lang'])}",
            back=f"../{_segment(form.order_id)}?{_query(token, lang)}",
        )  # fmt: skip

    def return_created(self, view: ReturnView, lang: str, token: str) -> Response:
        """See Other: the new return's status page (a reload shows it, never posts again)."""
        location = f"../../returns/{_segment(view.return_id)}?{_query(token, lang)}"
        body = self._env.get_template("return_created.html").render(
            lang=lang, t=TEXTS[lang], style=Markup(STYLE), location=location
        )
        return Response(body=body, status_code=303, headers={**HEADERS, "Location": location})

    def return_status(self, page: ReturnPage, lang: str, token: str) -> Response:
        return self._page(
            "return_status.html", lang, page.reader,
            ret=page.view, names=page.names,
            switch=f"?{_query(token, TEXTS[lang]['switch_lang'])}",
            back=f"../orders/{_segment(page.view.order_id)}?{_query(token, lang)}",
        )  # fmt: skip

    def rating(self, **context: Any) -> str:
        """The rating page's body: its own words, style and headers (chalicelib/api/rating_page.py),
        the pages' one Jinja2 environment."""
        return self._env.get_template("rating.html").render(**context)

    def promise_widget(self, widget: PromiseWidget, lang: str, frame_ancestors: str) -> Response:
        """The product-page widget: each option's price and its dates in words, cacheable by
        anyone until the first cut-off (it names no customer), framable by the shop."""
        t = TEXTS[lang]["widget"]
        body = self._env.get_template("promise_widget.html").render(
            lang=lang, t=TEXTS[lang], style=Markup(STYLE),
            lines=[_widget_line(option, widget, lang) for option in widget.options],
            ships=widget.ships,
            fallback=t["fallback"].format(postal_code=widget.postal_code)
            if widget.national_fallback else None,
        )  # fmt: skip
        headers: dict[str, str | list[str]] = {
            **HEADERS,
            "Cache-Control": f"public, max-age={widget.max_age}",
            "Content-Security-Policy": content_security_policy(frame_ancestors),
        }
        return Response(body=body, status_code=200, headers=headers)

    def page(self, template: str, lang: str, status: int = 200, **context: Any) -> Response:
        """A page that shows no order's data in a reader's zone (the withdrawal function)."""
        body = self._env.get_template(template).render(
            lang=lang, t=TEXTS[lang], style=Markup(STYLE), **context
        )
        return Response(body=body, status_code=status, headers=dict(HEADERS))

    def error(self, problem: errors.DomainError, lang: str) -> Response:
        status = _status(problem)
        heading, text = TEXTS[lang]["errors"].get(status, TEXTS[lang]["error_fallback"])
        body = self._env.get_template("error.html").render(
            lang=lang, t=TEXTS[lang], style=Markup(STYLE), heading=heading, text=text
        )
        return Response(body=body, status_code=status, headers=dict(HEADERS))

    def _page(
        self, template: str, lang: str, reader: Reader, status: int = 200, **context: Any
    ) -> Response:
        body = self._env.get_template(template).render(
            lang=lang, t=TEXTS[lang], style=Markup(STYLE), fmt=Formats(lang, reader.zone),
            **context,
        )  # fmt: skip
        return Response(body=body, status_code=status, headers=dict(HEADERS))


def _widget_line(option: MethodPromise, widget: PromiseWidget, lang: str) -> dict[str, str]:
    """One option in the shopper's words: "Bestellt bis 14:00, geliefert am Donnerstag, 24.
    Dezember", the cut-off in the zone of the location it ships from."""
    t = TEXTS[lang]["widget"]
    order_by = option.order_by
    days_ahead = (order_by.date() - widget.at.astimezone(order_by.tzinfo).date()).days
    clock = f"{order_by:%H:%M}"
    if days_ahead == 0:
        when = clock
    elif days_ahead == 1:
        when = t["tomorrow"].format(time=clock)
    else:
        when = t["on_day"].format(date=format_date(order_by.date(), lang), time=clock)
    price = option.price
    return {
        "label": option.rule.label(lang, widget.default_language),
        "price": t["free"]
        if not price.amount
        else Formats(lang, ZoneInfo("UTC")).money(price.amount, price.currency),
        "sentence": t["order_by"].format(
            when=when, window=format_window(option.earliest, option.latest, lang)
        ),
    }


def _may_withdraw(page: TrackingPage) -> bool:
    """The page links the withdrawal function while the statutory period lasts (and before
    delivery), as the order's own data show it."""
    delivered = [
        min((e.occurred_at for e in s.events if e.status == "delivered"), default=None)
        for s in page.order.shipments
    ]
    days = get_settings().withdrawal_period_days
    return period(delivered, datetime.now(UTC), days, page.reader.zone).state != "expired"


def _status(problem: errors.DomainError) -> int:
    return PROBLEM_TYPES[domain_code(problem)].status


def _line(sku: ReturnableSku, names: Mapping[str, str | None]) -> dict[str, Any]:
    return {"sku": sku, "name": names.get(sku.sku) or sku.sku}


def _problem_lines(
    problem: errors.DomainError, lang: str, names: Mapping[str, str | None]
) -> list[str]:
    """What went wrong, in the customer's words: each refused line, or what the form lacks."""
    t = TEXTS[lang]
    if isinstance(problem, ReturnRefused):
        return [
            # "Only 0 of … can still go back" says the wrong thing: nothing can.
            t["refused_line"][
                "none_left" if r.kind == "too_many" and not r.left else r.kind
            ].format(name=names.get(r.sku) or r.sku, left=r.left)
            for r in problem.refusals
        ]
    if isinstance(problem, errors.InvalidInput):
        if any(e.get("loc") == ["items"] for e in problem.errors):
            return [t["choose_item"]]
        return [t["check_lines"]]
    return [t["error_fallback"][1]]
