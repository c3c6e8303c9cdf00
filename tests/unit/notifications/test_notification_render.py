"""Templates: every type in both languages, escaping, locale fallback, SMS length, dates."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import date
from typing import Any, Literal

import pytest
from jinja2 import UndefinedError
from markupsafe import escape

from chalicelib.channels import render as render_module
from chalicelib.channels.render import (
    RenderedMessage,
    TemplateMissing,
    carrier_name,
    context_for,
    format_date,
    format_window,
    render,
    resolve_locale,
)
from chalicelib.domain.notifications import (
    CUSTOMER_CHANNELS,
    Delivery,
    OrderSnapshot,
    message_types,
)
from chalicelib.domain.notifications.planning import MERCHANT_ALERTS
from tests.unit.notifications.builders import NOW, TRACKING_URL, order, recipient, shipment

LOCALES = ["de", "en"]
# The customer's messages; the merchant's alerts (webhook only) are tested on their own below.
TYPES = sorted(message_types() - MERCHANT_ALERTS)
SMS_TYPES = sorted(t for t, channels in CUSTOMER_CHANNELS.items() if "sms" in channels)
PARCEL_TYPES = {
    "shipped",
    "out_for_delivery",
    "failed_attempt",
    "available_for_pickup",
    "delivered",
}
RETURN_TYPES = {"return_received", "refund_issued"}
EVIL_NAME = 'Anna <script>alert("x")</script> & Co'
QUOTED_NAME = "Anna O'Brien"

# GSM 03.38: the basic set costs one unit per character, the extension table two.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


def gsm7_units(text: str) -> int | None:
    """SMS length in GSM-7 units, or None when the text needs UCS-2."""
    if not set(text) <= GSM7_BASIC | GSM7_EXTENSION:
        return None
    return sum(2 if c in GSM7_EXTENSION else 1 for c in text)


def delivery(message_type: str, **changes: Any) -> Delivery:
    """A planned email as the planner makes it: parcel news names its parcel, returns theirs."""
    base = Delivery(
        channel="email",
        message_type=message_type,
        dedup_key="k",
        send_at=NOW,
        locale="de-DE",
        order_id="1001",
        shipment_id="S1" if message_type in PARCEL_TYPES else None,
        return_id="R1" if message_type in RETURN_TYPES else None,
        variant="late" if message_type == "delayed" else None,
    )
    return replace(base, **changes)


def split_order(name: str = "Anna Schmidt") -> OrderSnapshot:
    return order(
        shipment("S1", "in_transit", location="Packstation 123"),
        shipment("S2", "delivered", carrier="dpd"),
        recipient=recipient(name=name),
    )


def rendered(message_type: str, locale: str, view: OrderSnapshot | None = None) -> RenderedMessage:
    view = view or split_order()
    return render(
        message_type, locale, context_for(view, delivery(message_type), shop_name="Laden")
    )


# --- every type, both languages ----------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", TYPES)
def test_every_type_renders_with_name_and_tracking_link(message_type: str, locale: str) -> None:
    msg = rendered(message_type, locale)
    assert msg.locale == locale
    assert msg.subject and "\n" not in msg.subject
    assert "Anna Schmidt" in msg.html and "Anna Schmidt" in msg.text
    assert escape(TRACKING_URL) in msg.html
    assert TRACKING_URL in msg.text
    assert "1001" in msg.subject + msg.text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", TYPES)
def test_html_escapes_the_customers_name_and_text_keeps_it(message_type: str, locale: str) -> None:
    msg = rendered(message_type, locale, split_order(QUOTED_NAME))
    assert f" {escape(QUOTED_NAME)}," in msg.html and QUOTED_NAME not in msg.html
    assert f" {QUOTED_NAME},\n" in msg.text  # plain text is not HTML: escaping would garble it


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", TYPES)
def test_a_name_that_is_markup_is_not_greeted(message_type: str, locale: str) -> None:
    msg = rendered(message_type, locale, split_order(EVIL_NAME))
    assert "<script>" not in msg.html and "alert" not in msg.html + msg.text
    assert msg.text.startswith({"de": "Hallo,\n", "en": "Hi there,\n"}[locale])


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", TYPES)
def test_sparse_orders_render_without_gaps(message_type: str, locale: str) -> None:
    # No parcels, no promise dates, no estimates: every optional branch takes its "else"
    sparse = order(promised_earliest=None, promised_latest=None)
    context = context_for(sparse, delivery(message_type, shipment_id=None))
    msg = render(message_type, locale, context)
    assert "None" not in msg.subject + msg.html + msg.text + (msg.sms or "")
    for line in (msg.subject, msg.sms or "", *msg.text.splitlines()):
        assert "  " not in line and " ." not in line and " ," not in line


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", TYPES)
def test_no_template_leaves_empty_lines_piled_up(message_type: str, locale: str) -> None:
    text = rendered(message_type, locale).text
    assert "\n\n\n" not in text and text.endswith("\n") and not text.startswith("\n")


def test_parcel_details_appear_with_carrier_number_and_estimate() -> None:
    msg = rendered("shipped", "de")
    for expected in ("Paket 1 von 2", "DHL", "00340434161094042S1"):
        assert expected in msg.text
    assert "Donnerstag, 24. Dezember" in msg.text and "Donnerstag, 24. Dezember" in msg.html


@pytest.mark.parametrize(
    ("variant", "locale", "subject_words"),
    [
        ("at_risk", "de", "eventuell später"),
        ("late", "de", "verspätet sich"),
        ("at_risk", "en", "may arrive later"),
        ("late", "en", "running late"),
    ],
)
def test_delay_copy_tells_a_risk_from_a_late_order(
    variant: str, locale: str, subject_words: str
) -> None:
    view = order(shipment("S1", estimated_delivery=date(2026, 12, 28)))
    msg = render("delayed", locale, context_for(view, delivery("delayed", variant=variant)))
    assert subject_words in msg.subject
    assert ("Montag, 28. Dezember" if locale == "de" else "Monday, 28 December") in msg.text


# --- SMS ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", SMS_TYPES)
@pytest.mark.parametrize("variant", ["late", "at_risk"])
def test_sms_fits_one_gsm7_message(message_type: str, locale: str, variant: str) -> None:
    # A realistic name, carrier, estimate and tracking link (with its 43-character token)
    view = order(shipment("S1", estimated_delivery=date(2026, 12, 24)))
    changes = {"variant": variant, "shipment_id": None} if message_type == "delayed" else {}
    sms = render(message_type, locale, context_for(view, delivery(message_type, **changes))).sms
    assert sms is not None and "Anna" not in sms and TRACKING_URL in sms
    units = gsm7_units(sms)
    assert units is not None, f"not GSM-7: {sms!r}"
    assert units <= 160, f"{units} units: {sms!r}"


@pytest.mark.parametrize("locale", LOCALES)
def test_sms_templates_exist_exactly_for_types_sent_by_sms(locale: str) -> None:
    with_sms = {t for t in TYPES if rendered(t, locale).sms is not None}
    assert with_sms == set(SMS_TYPES)


# --- locales and discovery --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("de", "de"),
        ("de-DE", "de"),
        ("de-AT", "de"),
        ("de_CH", "de"),
        ("DE", "de"),
        ("en", "en"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("fr-FR", "en"),
        ("", "en"),
        (None, "en"),
        ("../de", "en"),
    ],
)
def test_locale_fallback(tag: str | None, expected: str) -> None:
    assert resolve_locale(tag) == expected


def test_an_austrian_customer_reads_german() -> None:
    msg = rendered("shipped", "de-AT")
    assert msg.locale == "de" and msg.text.startswith("Hallo Anna Schmidt,")
    assert '<html lang="de">' in msg.html


@pytest.mark.parametrize("locale", LOCALES)
def test_every_rule_type_has_templates_in_every_language(locale: str) -> None:
    assert render_module.template_types(locale) >= message_types()
    assert set(LOCALES) <= render_module.locales()


def test_a_type_not_yet_translated_goes_out_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    names = render_module._template_names() - {"de/shipped.subject.txt"}
    monkeypatch.setattr(render_module, "_template_names", lambda: names)
    assert rendered("shipped", "de-DE").locale == "en"


def test_an_unknown_type_is_a_clear_error() -> None:
    with pytest.raises(TemplateMissing, match="rating_request"):
        render("rating_request", "de", {})


def test_a_missing_variable_fails_loudly() -> None:
    context = context_for(split_order(), delivery("shipped"))
    del context["name"]
    with pytest.raises(UndefinedError):
        render("shipped", "de", context)


def test_importing_the_renderer_does_no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh copy of the module, as a cold start would import it
    spec = importlib.util.spec_from_file_location("render_cold_start", render_module.__file__)
    assert spec is not None and spec.loader is not None
    cold = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, cold)
    spec.loader.exec_module(cold)
    assert cold._environment.cache_info().currsize == 0
    assert cold._template_names.cache_info().currsize == 0


# --- context and formatting -------------------------------------------------------------------


def test_context_numbers_parcels_only_for_split_orders() -> None:
    single = order(shipment("S1"))
    assert context_for(single, delivery("shipped"))["parcel_number"] is None
    assert context_for(split_order(), delivery("shipped", shipment_id="S2"))["parcel_number"] == 2


def test_order_level_news_of_a_one_parcel_order_names_that_parcel() -> None:
    context = context_for(order(shipment("S1")), delivery("delayed"))
    assert (context["carrier"], context["tracking_number"]) == ("DHL", "00340434161094042S1")


def test_returns_carry_no_outbound_parcel_details() -> None:
    context = context_for(order(shipment("S1", "delivered")), delivery("return_received"))
    assert (context["carrier"], context["estimated_delivery"]) == (None, None)


def test_split_order_delay_estimates_the_last_parcel_still_on_its_way() -> None:
    view = order(
        shipment("S1", "in_transit", estimated_delivery=date(2026, 12, 24)),
        shipment("S2", "in_transit", estimated_delivery=date(2026, 12, 28)),
        shipment("S3", "delivered", estimated_delivery=date(2026, 12, 30)),
    )
    assert context_for(view, delivery("delayed"))["estimated_delivery"] == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("lang", "style", "expected"),
    [
        ("de", "long", "Donnerstag, 24. Dezember"),
        ("en", "long", "Thursday, 24 December"),
        ("de", "short", "Do., 24.12."),
        ("en", "short", "Thu 24 Dec"),
        ("fr", "long", "Thursday, 24 December"),
    ],
)
def test_format_date(lang: str, style: Literal["long", "short"], expected: str) -> None:
    assert format_date(date(2026, 12, 24), lang, style) == expected


def test_format_date_knows_every_month_and_weekday() -> None:
    march = format_date(date(2027, 3, 1), "de")
    assert march == "Montag, 1. März"


@pytest.mark.parametrize(
    ("earliest", "latest", "lang", "expected"),
    [
        (date(2026, 12, 24), None, "de", "am Donnerstag, 24. Dezember"),
        (date(2026, 12, 24), date(2026, 12, 24), "en", "on Thursday, 24 December"),
        (
            date(2026, 12, 22),
            date(2026, 12, 24),
            "de",
            "zwischen Dienstag, 22. Dezember und Donnerstag, 24. Dezember",
        ),
    ],
)
def test_format_window(earliest: date, latest: date | None, lang: str, expected: str) -> None:
    assert format_window(earliest, latest, lang) == expected


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("dhl", "DHL"),
        ("DPD", "DPD"),
        ("post_at", "Österreichische Post"),
        ("go_express", "Go Express"),
    ],
)
def test_carrier_name(code: str, name: str) -> None:
    assert carrier_name(code) == name


@pytest.mark.parametrize(("locale", "words"), [("de", "3 von 10"), ("en", "3 of 10")])
def test_the_low_rating_alert_names_order_and_rating(locale: str, words: str) -> None:
    context = context_for(split_order(), delivery("low_rating", variant="3"))

    msg = render("low_rating", locale, context)

    assert words in msg.subject and "1001" in msg.subject
    assert words in msg.text and TRACKING_URL in msg.text
