"""The customer's pages over the real HTTP path (Chalice's local server on the embedded AWS, the
event pump): from the e-mail's link to the tracking page, the return form and the return's page."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
import requests

from devstack.environment import REGION
from devstack.mailbox import sent_emails
from devstack.pump import EventPump
from tests.integration.test_feedback_end_to_end import given_a_delivered_order

pytestmark = pytest.mark.integration


def test_a_customer_follows_the_emails_link_and_returns_an_item_from_the_pages(
    api: str, pump: EventPump
) -> None:
    # Given a delivered order whose e-mails went out
    given_a_delivered_order(api, datetime.now(UTC))
    pump.drain()
    (delivered,) = [m for m in sent_emails(REGION) if "angekommen" in m.subject]
    (path,) = set(re.findall(r"https://track\.shop\.example(/v1/pages/orders/1001\?token=\S+)",
                             delivered.text))  # fmt: skip

    # When the customer opens the tracking page, follows its return link and sends the form
    tracking = requests.get(f"{api}{path}&utm_source=email", timeout=30)
    (return_link,) = re.findall(r'href="(1001/return\?[^"]+)"', tracking.text)
    form_page = requests.get(f"{api}/v1/pages/orders/{html.unescape(return_link)}", timeout=30)
    fields = dict(re.findall(r'name="(token|lang|key)" value="([^"]*)"', form_page.text))
    answer = requests.post(
        f"{api}/v1/pages/orders/1001/return",
        data={**fields, "quantity.TSHIRT-M": "1", "reason.TSHIRT-M": "too_large",
              "resolution": "refund"},
        timeout=30,
    )  # fmt: skip

    # Then the tracking page showed the delivered parcel, and the form led to the return's page
    assert tracking.status_code == 200
    assert "Zugestellt" in tracking.text and tracking.headers["Referrer-Policy"] == "no-referrer"
    assert form_page.status_code == 200 and 'name="quantity.TSHIRT-M"' in form_page.text
    assert [r.status_code for r in answer.history] == [303]
    assert answer.status_code == 200
    assert re.search(r"/v1/pages/returns/R[0-9A-F]{12}\?token=", answer.url)
    assert "Angemeldet" in answer.text and "Zu groß" in answer.text
    again = requests.get(f"{api}{path}", timeout=30)
    assert "Rücksendung R" in again.text
