"""What a message may say beyond the shop's words: a delay's new day only after the promised
one, and a greeting name that is short and never a link."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.channels.render import context_for, format_date, render
from chalicelib.domain.notifications import Delivery
from chalicelib.domain.notifications.wording import (
    GREETING_NAME_MAX,
    greeting_name,
    later_delivery,
)
from tests.unit.notifications.builders import NOW, order, recipient, shipment

# What mail clients turn into links, written apart from the code under test: a scheme, a
# path, an address, a digit run (phone numbers), or a dot inside a word (a domain).
LINKABLE = re.compile(r"[:/@\\]|\d|\.[^\s]")


@pytest.mark.parametrize(
    "name",
    ["Anna Schmidt", "Dr. Anna-Lena O’Brien", "Jürgen Müller-Öztürk", "Zoë d'Arc", "Ĳsbrand Jr.",
     "Łukasz Żółć", "Βασίλης", "山田 太郎", "Nguyễn Văn An"],
)  # fmt: skip
def test_a_plain_name_is_greeted_as_given(name: str) -> None:
    assert greeting_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "DHL: Zollgebühr 1,99 EUR offen. Jetzt zahlen: https://dhl-zoll.example/pay",
        "www.dhl-zoll.example",
        "anna@dhl-zoll.example",
        "Anna dhl-zoll.example",
        "Anna.Berlin",
        "Anna +49 151 12345678",
        'Anna <script>alert("x")</script>',
        "Anna Schmidt Anna Schmidt Anna Schmidt Anna",  # 44 characters
        "   ",
        "",
    ],
)
def test_a_name_that_could_be_a_link_or_is_long_is_not_greeted(name: str) -> None:
    assert greeting_name(name) is None


def test_white_space_is_collapsed_and_counts_once() -> None:
    assert greeting_name("  Anna \n\t Schmidt ") == "Anna Schmidt"
    assert greeting_name("A" * GREETING_NAME_MAX) == "A" * GREETING_NAME_MAX
    assert greeting_name("A" * (GREETING_NAME_MAX + 1)) is None


@settings(max_examples=500, derandomize=True)
@given(name=st.text(max_size=80))
def test_a_greeted_name_is_short_and_nothing_a_mail_client_links(name: str) -> None:
    greeted = greeting_name(name)

    if greeted is not None:
        assert len(greeted) <= GREETING_NAME_MAX
        assert LINKABLE.search(greeted) is None
        assert greeted == " ".join(name.split())


@settings(max_examples=300, derandomize=True)
@given(
    words=st.lists(
        st.text(st.characters(categories=["Lu", "Ll"]), min_size=1, max_size=8),
        min_size=1,
        max_size=4,
    )
)
def test_short_names_of_letters_are_kept(words: list[str]) -> None:
    name = " ".join(words)
    assert greeting_name(name) == (name if len(name) <= GREETING_NAME_MAX else None)


# -- a delay's new day ---------------------------------------------------------------------------
DAYS = st.dates(date(2026, 1, 1), date(2027, 12, 31))


@settings(max_examples=300, derandomize=True)
@given(estimate=st.none() | DAYS, latest=st.none() | DAYS)
def test_a_new_day_is_only_one_after_the_promised_one(
    estimate: date | None, latest: date | None
) -> None:
    new = later_delivery(estimate, latest)

    if new is not None:
        assert latest is not None and new == estimate and new > latest
    else:
        assert estimate is None or latest is None or estimate <= latest


@settings(max_examples=150, derandomize=True)
@given(
    latest=DAYS,
    offset=st.integers(-10, 10),
    variant=st.sampled_from(["at_risk", "late"]),
    locale=st.sampled_from(["de-DE", "en-GB"]),
)
def test_a_delay_message_names_a_new_day_only_after_the_promised_one(
    latest: date, offset: int, variant: str, locale: str
) -> None:
    # Given an order in one parcel expected ``offset`` days after its promised last day
    estimate = latest + timedelta(days=offset)
    view = order(
        shipment("S1", estimated_delivery=estimate),
        promised_earliest=latest - timedelta(days=1),
        promised_latest=latest,
        recipient=recipient(locale=locale),
    )
    planned = Delivery("email", "delayed", "k", NOW, locale, "1001", variant=variant)

    # When the delay message is written
    msg = render("delayed", locale, context_for(view, planned))

    # Then every part names the estimate as the new day exactly when it is later
    lang = locale[:2]
    new_day = {"de": "Neuer voraussichtlicher Liefertermin", "en": "New estimated delivery"}[lang]
    none_yet = {"de": "Einen neuen Liefertermin haben", "en": "have a new delivery date yet"}[lang]
    sms_day = {"de": "Neuer Termin:", "en": "Now due"}[lang]
    later = offset > 0
    assert (new_day in msg.text) is later and (new_day in msg.html) is later
    assert (none_yet in msg.text) is not later
    assert msg.sms is not None and (sms_day in msg.sms) is later
    if later:
        assert f"{new_day}: {format_date(estimate, lang)}" in msg.text
        assert f"{sms_day} {format_date(estimate, lang, 'short')}" in msg.sms
