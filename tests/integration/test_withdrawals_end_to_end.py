"""The withdrawal function over the real HTTP path: the page's two steps → the declaration and
its outbox record → stream → queue → the acknowledgement e-mail and the merchant's webhook copy;
then the merchant's list and the return."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from devstack.environment import REGION
from devstack.mailbox import sent_emails
from devstack.pump import EventPump
from tests.api.factories import MERCHANT
from tests.integration.test_feedback_end_to_end import given_a_delivered_order, merchant_hook

pytestmark = pytest.mark.integration
__all__ = ["merchant_hook"]  # the fixture, shared with the feedback tests
ANNA = {"name": "Anna Schmidt", "order_id": "1001", "email": "anna@example.com", "lang": "de"}


def both_steps(api: str, fields: dict[str, str]) -> requests.Response:
    review = requests.post(f"{api}/v1/pages/withdrawal", data=fields, timeout=30)
    assert review.status_code == 200 and "Widerruf bestätigen" in review.text
    form = review.text.split('action="withdrawal/confirm"', 1)[1].split("</form>", 1)[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return requests.post(f"{api}/v1/pages/withdrawal/confirm", data=hidden, timeout=30)


def test_a_declaration_on_the_page_is_acknowledged_once_and_copied_to_the_merchant(
    api: str, pump: EventPump, merchant_hook: list[dict[str, Any]]
) -> None:
    given_a_delivered_order(api, datetime.now(UTC))
    pump.drain()
    mirrored = len(merchant_hook)

    first = both_steps(api, ANNA)
    again = both_steps(api, ANNA)  # a reload of the confirmation: the same declaration
    stranger = both_steps(api, {**ANNA, "email": "mallory@example.org"})
    pump.drain()
    pump.rewind_streams()  # the stream hands every record again: nothing is sent twice
    pump.drain()

    assert (first.status_code, again.status_code, stranger.status_code) == (201, 200, 201)
    acks = [m for m in sent_emails(REGION) if "Widerruf" in m.subject]
    assert sorted(m.to[0] for m in acks) == ["anna@example.com", "mallory@example.org"]
    copies = [m for m in merchant_hook[mirrored:] if m["type"] == "withdrawal_received"]
    assert len(copies) == 2
    assert all(re.fullmatch(r"W[0-9A-F]{12}", c["withdrawal_id"]) for c in copies)
    today = datetime.now(UTC).date()
    listed = requests.get(
        f"{api}/v1/withdrawals",
        params={"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()},
        headers=MERCHANT,
        timeout=30,
    ).json()["withdrawals"]
    assert [w["matched"] for w in listed] == [True, False]

    opened = requests.post(
        f"{api}/v1/withdrawals/{listed[0]['withdrawal_id']}/return", headers=MERCHANT, timeout=30
    )
    assert opened.status_code == 201
    assert {i["reason"] for i in opened.json()["items"]} == {"withdrawal"}
