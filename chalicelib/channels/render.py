"""Notification texts: Jinja2 templates per message type and locale.

Layout of ``templates/``: ``<lang>/<type>.subject.txt``, ``.html``, ``.txt`` and, for types sent
by SMS, ``.sms.txt``. ``_layout.html`` is the e-mail structure shared by every language;
``<lang>/_base.html`` and ``<lang>/_base.txt`` add that language's greeting, parcel details and
sign-off. A type exists when its subject template does, so a new type is templates, not code.

Template variables (built by ``context_for``): name (the e-mail greeting's, or None:
``wording.greeting_name``), order_id, tracking_url, rating_url, shop_name, carrier,
tracking_number, estimated_delivery, new_delivery (a delay's new day, only after the promised
one: ``wording.later_delivery``), promised_earliest, promised_latest, parcel_number (split orders
only), parcel_count, location, return_id, variant; ``render`` adds lang, message_type and, for
the bodies, subject. SMS are rendered without ``name``: nothing the customer typed goes out under
the shop's sender id. Filters: long_date, short_date, date_window (all in the message's lang).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from chalicelib.domain.day_names import MONTHS, WEEKDAYS
from chalicelib.domain.notifications import Delivery, OrderSnapshot, ShipmentSnapshot
from chalicelib.domain.notifications.wording import greeting_name, later_delivery

DEFAULT_LOCALE = "en"
SUBJECT, HTML, TEXT, SMS = "subject.txt", "html", "txt", "sms.txt"

_LONG = {"de": "{weekday}, {day}. {month}", "en": "{weekday}, {day} {month}"}
# SMS: short and GSM-7 only ("Do., 24.12.", "Thu 24 Dec").
_SHORT = {"de": "{weekday:.2}., {day:02}.{month_no:02}.", "en": "{weekday:.3} {day} {month:.3}"}
_WINDOW = {"de": ("am {0}", "zwischen {0} und {1}"), "en": ("on {0}", "between {0} and {1}")}
# Template variables that hold what the customer typed: never in an SMS.
CUSTOMER_GIVEN = frozenset({"name"})

CARRIER_NAMES = {
    "dhl": "DHL",
    "dhl_express": "DHL Express",
    "dpd": "DPD",
    "gls": "GLS",
    "ups": "UPS",
    "fedex": "FedEx",
    "hermes": "Hermes",
    "usps": "USPS",
    "royal_mail": "Royal Mail",
    "post_at": "Österreichische Post",
    "post_ch": "Die Schweizerische Post",
}


class TemplateMissing(LookupError):
    """No locale has templates for this message type."""


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    html: str
    text: str
    sms: str | None  # only for types with an SMS template
    locale: str  # the template language used ("de", "en")


def render(message_type: str, locale: str | None, context: Mapping[str, Any]) -> RenderedMessage:
    """Render every part of ``message_type`` in the best language for ``locale``.

    Raises TemplateMissing for a type without templates; jinja2.UndefinedError when ``context``
    lacks a variable a template uses (build it with ``context_for``).
    """
    lang = _template_locale(message_type, resolve_locale(locale))
    values = {**context, "lang": lang, "message_type": message_type}
    subject = _one_line(_render(lang, message_type, SUBJECT, values))
    values["subject"] = subject
    sms = (
        _render(lang, message_type, SMS, _shop_words(values))
        if _has(lang, message_type, SMS)
        else None
    )
    return RenderedMessage(
        subject=subject,
        html=_render(lang, message_type, HTML, values),
        text=_tidy(_render(lang, message_type, TEXT, values)),
        sms=_one_line(sms) if sms is not None else None,
        locale=lang,
    )


def context_for(order: OrderSnapshot, delivery: Delivery, *, shop_name: str = "") -> dict[str, Any]:
    """The template variables for one planned delivery of ``order``."""
    parcel = _parcel(order, delivery)
    number = order.shipments.index(parcel) + 1 if parcel and order.is_split else None
    estimate = _estimate(order, delivery, parcel)
    return {
        "name": greeting_name(order.recipient.name),
        "order_id": order.order_id,
        "tracking_url": order.tracking_url,
        "rating_url": order.rating_url,
        "shop_name": shop_name,
        "carrier": carrier_name(parcel.carrier) if parcel else None,
        "tracking_number": parcel.tracking_number if parcel else None,
        "estimated_delivery": estimate,
        "new_delivery": later_delivery(estimate, order.promised_latest),
        "promised_earliest": order.promised_earliest,
        "promised_latest": order.promised_latest,
        "parcel_number": number,
        "parcel_count": len(order.shipments),
        "location": parcel.location if parcel else None,
        "return_id": delivery.return_id,
        "variant": delivery.variant,
    }


def resolve_locale(tag: str | None) -> str:
    """The template language for a locale tag: de-AT → de, en-US → en, anything unknown → en."""
    known = locales()
    normal = (tag or "").strip().lower().replace("_", "-")
    for candidate in (normal, normal.split("-", 1)[0]):
        if candidate in known:
            return candidate
    return DEFAULT_LOCALE


def locales() -> frozenset[str]:
    return frozenset(name.split("/", 1)[0] for name in _template_names() if "/" in name)


def template_types(locale: str = DEFAULT_LOCALE) -> frozenset[str]:
    """The message types with templates in ``locale`` (discovered by their subject template)."""
    suffix = f".{SUBJECT}"
    return frozenset(
        name.removeprefix(f"{locale}/").removesuffix(suffix)
        for name in _template_names()
        if name.startswith(f"{locale}/") and name.endswith(suffix)
    )


def carrier_name(code: str) -> str:
    return CARRIER_NAMES.get(code.lower(), code.replace("_", " ").title())


def format_date(value: date, lang: str, style: Literal["long", "short"] = "long") -> str:
    """Dates without Babel: "Donnerstag, 24. Dezember" / "Thursday, 24 December"."""
    lang = lang if lang in _LONG else DEFAULT_LOCALE
    pattern = (_SHORT if style == "short" else _LONG)[lang]
    return pattern.format(
        weekday=WEEKDAYS[lang][value.weekday()],
        day=value.day,
        month=MONTHS[lang][value.month - 1],
        month_no=value.month,
    )


def format_window(earliest: date, latest: date | None, lang: str) -> str:
    """A promised delivery window as prose: "am …" / "zwischen … und …"."""
    single, between = _WINDOW.get(lang, _WINDOW[DEFAULT_LOCALE])
    first = format_date(earliest, lang)
    if latest is None or latest == earliest:
        return single.format(first)
    return between.format(first, format_date(latest, lang))


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,  # a misspelt variable fails the test suite, not a customer
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates never change inside a container
    )
    environment.filters.update(
        long_date=_long_date, short_date=_short_date, date_window=_date_window
    )
    return environment


@cache
def _template_names() -> frozenset[str]:
    return frozenset(_environment().list_templates())


def _has(lang: str, message_type: str, part: str) -> bool:
    return f"{lang}/{message_type}.{part}" in _template_names()


def _template_locale(message_type: str, preferred: str) -> str:
    # A type written in one language so far still goes out, in the default language.
    for lang in (preferred, DEFAULT_LOCALE):
        if _has(lang, message_type, SUBJECT):
            return lang
    raise TemplateMissing(f"no templates for message type {message_type!r}")


def _render(lang: str, message_type: str, part: str, values: Mapping[str, Any]) -> str:
    return _environment().get_template(f"{lang}/{message_type}.{part}").render(values)


def _shop_words(values: Mapping[str, Any]) -> dict[str, Any]:
    # Left out, not emptied: a template that names them fails (StrictUndefined) in the tests.
    return {key: value for key, value in values.items() if key not in CUSTOMER_GIVEN}


def _one_line(text: str) -> str:
    return " ".join(text.split())  # also keeps CR/LF out of mail headers


def _tidy(text: str) -> str:
    lines = (line.rstrip() for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


@pass_context
def _long_date(context: Context, value: date) -> str:
    return format_date(value, context["lang"])


@pass_context
def _short_date(context: Context, value: date) -> str:
    return format_date(value, context["lang"], "short")


@pass_context
def _date_window(context: Context, earliest: date, latest: date | None = None) -> str:
    return format_window(earliest, latest, context["lang"])


def _parcel(order: OrderSnapshot, delivery: Delivery) -> ShipmentSnapshot | None:
    if delivery.shipment_id:
        return order.shipment(delivery.shipment_id)
    # Order-level news (a delay) about an order in one parcel: that parcel's details still help.
    if delivery.return_id is None and len(order.shipments) == 1:
        return order.shipments[0]
    return None


def _estimate(
    order: OrderSnapshot, delivery: Delivery, parcel: ShipmentSnapshot | None
) -> date | None:
    if parcel is not None:
        return parcel.estimated_delivery
    if delivery.return_id is not None:
        return None
    # The order arrives with its last parcel: the latest estimate of those still on their way.
    pending = [
        s.estimated_delivery
        for s in order.shipments
        if s.status != "delivered" and s.estimated_delivery is not None
    ]
    return max(pending, default=None)
