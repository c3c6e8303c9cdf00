"""What a message may say beyond the shop's words: a delay's new day only after the promised
one."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.channels.render import context_for, format_date, render
from chalicelib.domain.notifications import Delivery
from chalicelib.domain.notifications.wording import later_delivery
from tests.unit.notifications.builders import NOW, order, recipient, shipment

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
