"""What the customer typed never becomes the shop's words: no name in an SMS, and an e-mail
greeting that is short and cannot be turned into a link. Through the HTTP API and the
notification Lambdas on in-process moto."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from devstack.environment import REGION
from devstack.mailbox import SentEmail, sent_sms
from tests.api.factories import current_order_body, post, shipment_body
from tests.api.test_dates_customers_read import deliver_the_outbox
from tests.api.test_notifications import carrier_says

PHISHING = "DHL: Zollgebühr 1,99 EUR offen. Jetzt zahlen: https://dhl-zoll.example/pay"


def given_an_order_of(client: Any, name: str, locale: str = "de-DE") -> None:
    body = current_order_body(datetime.now(UTC), name=name, locale=locale)
    assert post(client, "/v1/orders", body).status_code == 201, body
    assert post(client, "/v1/orders/1001/shipments", shipment_body()).status_code == 201


def confirmation_of(emails: list[SentEmail]) -> SentEmail:
    (confirmed,) = [e for e in emails if "1001" in e.subject and "Bestellung" in e.subject]
    return confirmed


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_an_sms_never_carries_the_name_the_customer_gave(
    client: Any, aws: dict[str, Any], locale: str
) -> None:
    # Given a guest checkout whose "name" is a payment request, opted in to SMS
    given_an_order_of(client, PHISHING, locale)

    # When the parcel goes out for delivery and the customer is told
    carrier_says(client, "out_for_delivery", 5)
    deliver_the_outbox(aws)

    # Then the SMS is the shop's words and link alone
    (sms,) = sent_sms(REGION)
    assert "Zoll" not in sms.text and "dhl-zoll.example" not in sms.text
    assert "https://track.shop.example/v1/pages/orders/1001?token=" in sms.text


@pytest.mark.parametrize(
    "name",
    [
        PHISHING,
        "www.dhl-zoll.example",
        "anna@dhl-zoll.example",
        "Anna dhl-zoll.example",
        "Anna " + "Schmidt-" * 24,
    ],
)
def test_an_email_greeting_is_never_a_link_nor_a_long_text(
    client: Any, aws: dict[str, Any], name: str
) -> None:
    # Given a customer "name" that a mail client would turn into a link, or a very long one
    given_an_order_of(client, name)

    # When the order is confirmed
    confirmed = confirmation_of(deliver_the_outbox(aws))

    # Then the greeting does not repeat it, in either part
    assert confirmed.text.startswith("Hallo,\n")
    assert "dhl-zoll" not in confirmed.text + confirmed.html
    assert "Schmidt-Schmidt" not in confirmed.text + confirmed.html
    assert ">Hallo,</p>" in confirmed.html


def test_a_plain_name_is_still_greeted_by_name(client: Any, aws: dict[str, Any]) -> None:
    given_an_order_of(client, "Dr. Anna-Lena O’Brien")

    confirmed = confirmation_of(deliver_the_outbox(aws))

    assert confirmed.text.startswith("Hallo Dr. Anna-Lena O’Brien,\n")
