"""NotificationLog: claim → send → mark sent, each milestone and channel at most once.

The log is conditional writes on NOTIFICATION#<dedup key> items in the order's partition of the
(moto) table; a claim is a lease that a retry may take over once it has run out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib import deps
from chalicelib.models.orders import NotificationView, RegisterOrderRequest
from chalicelib.store.attributes import from_attributes, to_attributes
from chalicelib.store.keys import notification_key
from chalicelib.store.notifications import NotificationLog, NotificationRecord
from tests.api.factories import order_body
from tests.unit.notifications.builders import NOW, ORDER_ID

KEY = f"{ORDER_ID}#S1#out_for_delivery#sms"
RECORD = NotificationRecord("out_for_delivery", "sms", "S1", "de")
LEASE = 60


Stored = Callable[..., dict[str, Any] | None]


@pytest.fixture
def dynamodb(aws: dict[str, Any]) -> Any:
    return deps.dynamodb()  # the app's boto3 client, on moto


@pytest.fixture
def notifications(aws: dict[str, Any], dynamodb: Any) -> NotificationLog:
    return NotificationLog(dynamodb, aws["table"])


@pytest.fixture
def stored(aws: dict[str, Any], dynamodb: Any) -> Stored:
    """The item of a dedup key as it is in the table (a boto3 get_item), or None."""

    def read(key: str = KEY) -> dict[str, Any] | None:
        response = dynamodb.get_item(
            TableName=aws["table"],
            Key=to_attributes(notification_key(ORDER_ID, key)),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return from_attributes(item) if item is not None else None

    return read


def later(seconds: int) -> datetime:
    return NOW + timedelta(seconds=seconds)


# -- claim ----------------------------------------------------------------------------------------
def test_first_claim_takes_the_key_with_a_token_and_a_lease(
    notifications: NotificationLog, stored: Stored
) -> None:
    claim = notifications.claim(ORDER_ID, KEY, RECORD, NOW)

    assert claim.outcome == "claimed"
    assert claim.token
    item = stored()
    assert item is not None
    assert item["PK"] == f"ORDER#{ORDER_ID}"
    assert item["SK"] == f"NOTIFICATION#{KEY}"
    assert item["state"] == "claimed"
    assert item["claim_token"] == claim.token
    assert item["claimed_until"] == int(NOW.timestamp()) + LEASE
    assert (item["type"], item["channel"], item["shipment_id"], item["locale"]) == (
        "out_for_delivery",
        "sms",
        "S1",
        "de",
    )
    # Other keys are other milestones: another channel, another order claim independently.
    email_key = f"{ORDER_ID}#S1#out_for_delivery#email"
    other_channel = notifications.claim(ORDER_ID, email_key, RECORD, NOW)
    other_order = notifications.claim("1002", KEY, RECORD, NOW)
    assert (other_channel.outcome, other_order.outcome) == ("claimed", "claimed")
    assert len({claim.token, other_channel.token, other_order.token}) == 3


def test_second_claim_is_busy_while_the_lease_runs(
    notifications: NotificationLog, stored: Stored
) -> None:
    first = notifications.claim(ORDER_ID, KEY, RECORD, NOW)

    answers = [notifications.claim(ORDER_ID, KEY, RECORD, later(s)) for s in (0, 30, LEASE)]

    assert [(a.outcome, a.token) for a in answers] == [("busy", None)] * 3
    item = stored()
    assert item is not None
    assert item["claim_token"] == first.token  # the first claim still holds
    assert item["claimed_until"] == int(NOW.timestamp()) + LEASE  # and was not extended


def test_claim_after_the_lease_ran_out_takes_over_and_voids_the_old_token(
    notifications: NotificationLog, stored: Stored
) -> None:
    stale = notifications.claim(ORDER_ID, KEY, RECORD, NOW)
    assert stale.token is not None

    retry = notifications.claim(ORDER_ID, KEY, RECORD, later(LEASE + 1))

    assert retry.outcome == "claimed"
    assert retry.token is not None and retry.token != stale.token
    item = stored()
    assert item is not None
    assert item["claimed_until"] == int(NOW.timestamp()) + 2 * LEASE + 1
    assert notifications.mark_sent(ORDER_ID, KEY, stale.token, later(LEASE + 2), "old") is False
    assert notifications.mark_sent(ORDER_ID, KEY, retry.token, later(LEASE + 2), "new") is True
    item = stored()
    assert item is not None
    assert item["provider_message_id"] == "new"


def test_a_shorter_lease_runs_out_sooner(notifications: NotificationLog, stored: Stored) -> None:
    notifications.claim(ORDER_ID, KEY, RECORD, NOW, lease_seconds=5)

    assert notifications.claim(ORDER_ID, KEY, RECORD, later(5)).outcome == "busy"
    assert notifications.claim(ORDER_ID, KEY, RECORD, later(6)).outcome == "claimed"


# -- mark_sent ------------------------------------------------------------------------------------
def test_mark_sent_records_the_send_once_and_later_claims_answer_sent(
    notifications: NotificationLog, stored: Stored
) -> None:
    claim = notifications.claim(ORDER_ID, KEY, RECORD, NOW)
    assert claim.token is not None

    marked = notifications.mark_sent(ORDER_ID, KEY, claim.token, later(2), "sns-msg-1")
    again = notifications.mark_sent(ORDER_ID, KEY, claim.token, later(9), "sns-msg-2")

    assert (marked, again) == (True, False)
    item = stored()
    assert item is not None
    assert item["state"] == "sent"
    assert item["sent_at"] == later(2).isoformat()
    assert item["provider_message_id"] == "sns-msg-1"
    assert (item["type"], item["channel"]) == ("out_for_delivery", "sms")
    assert "claim_token" not in item
    assert "claimed_until" not in item
    for moment in (later(3), later(LEASE * 10)):  # sent stays sent, lease or not
        answer = notifications.claim(ORDER_ID, KEY, RECORD, moment)
        assert (answer.outcome, answer.token) == ("sent", None)


def test_mark_sent_and_release_without_the_claims_token_change_nothing(
    notifications: NotificationLog, stored: Stored
) -> None:
    never_claimed = f"{ORDER_ID}#S1#out_for_delivery#email"
    notifications.claim(ORDER_ID, KEY, RECORD, NOW)
    before = stored()

    marked = notifications.mark_sent(ORDER_ID, KEY, "not-the-token", later(2), "sns-msg-1")
    notifications.release(ORDER_ID, KEY, "not-the-token")
    marked_unclaimed = notifications.mark_sent(ORDER_ID, never_claimed, "x", NOW, "ses-1")
    notifications.release(ORDER_ID, never_claimed, "x")

    assert (marked, marked_unclaimed) == (False, False)
    assert stored() == before
    assert stored(never_claimed) is None  # no half-written item appears
    assert notifications.claim(ORDER_ID, KEY, RECORD, later(3)).outcome == "busy"


# -- release --------------------------------------------------------------------------------------
def test_release_lets_the_next_claim_succeed_at_once(
    notifications: NotificationLog, stored: Stored
) -> None:
    claim = notifications.claim(ORDER_ID, KEY, RECORD, NOW)
    assert claim.token is not None

    notifications.release(ORDER_ID, KEY, claim.token)

    assert stored() is None
    retry = notifications.claim(ORDER_ID, KEY, RECORD, NOW)  # well inside the old lease
    assert retry.outcome == "claimed"
    assert retry.token != claim.token


def test_a_sent_record_is_final_for_release_and_record_skip(
    notifications: NotificationLog, stored: Stored
) -> None:
    claim = notifications.claim(ORDER_ID, KEY, RECORD, NOW)
    assert claim.token is not None
    notifications.mark_sent(ORDER_ID, KEY, claim.token, later(1), "sns-msg-1")
    before = stored()

    notifications.release(ORDER_ID, KEY, claim.token)
    notifications.record_skip(ORDER_ID, KEY, RECORD, "rejected_by_provider", later(2))

    assert stored() == before
    assert notifications.claim(ORDER_ID, KEY, RECORD, later(3)).outcome == "sent"


# -- record_skip ----------------------------------------------------------------------------------
def test_record_skip_writes_the_first_reason_and_later_claims_answer_skipped(
    notifications: NotificationLog, stored: Stored
) -> None:
    record = NotificationRecord("out_for_delivery", "sms", None, None)

    notifications.record_skip(ORDER_ID, KEY, record, "no_phone", NOW)
    notifications.record_skip(ORDER_ID, KEY, record, "rejected_by_provider", later(5))

    item = stored()
    assert item is not None
    assert item["state"] == "skipped"
    assert item["reason"] == "no_phone"  # the first reason wins
    assert item["skipped_at"] == NOW.isoformat()
    assert (item["type"], item["channel"]) == ("out_for_delivery", "sms")
    assert "sent_at" not in item
    again = notifications.claim(ORDER_ID, KEY, RECORD, later(LEASE * 10))
    assert (again.outcome, again.token) == ("skipped", None)


def test_record_skip_does_not_break_a_running_claim(
    notifications: NotificationLog, stored: Stored
) -> None:
    claim = notifications.claim(ORDER_ID, KEY, RECORD, NOW)
    assert claim.token is not None

    notifications.record_skip(ORDER_ID, KEY, RECORD, "no_phone", later(1))

    item = stored()
    assert item is not None
    assert (item["state"], item["claim_token"]) == ("claimed", claim.token)
    assert notifications.mark_sent(ORDER_ID, KEY, claim.token, later(2), "sns-msg-1") is True


# -- the order read model -------------------------------------------------------------------------
def test_reading_an_order_lists_only_the_notifications_that_were_sent(
    notifications: NotificationLog,
) -> None:
    orders = deps.order_service()
    orders.register(RegisterOrderRequest.model_validate(order_body(ORDER_ID)))
    email = NotificationRecord("order_confirmed", "email", None, "de")
    webhook = NotificationRecord("order_confirmed", "webhook", None, "de")
    for key, record, sent_at, provider_id in (
        (f"{ORDER_ID}#-#order_confirmed#webhook", webhook, later(9), None),
        (f"{ORDER_ID}#-#order_confirmed#email", email, later(3), "ses-1"),
    ):
        claim = notifications.claim(ORDER_ID, key, record, NOW)
        assert claim.token is not None
        assert notifications.mark_sent(ORDER_ID, key, claim.token, sent_at, provider_id)
    notifications.claim(ORDER_ID, KEY, RECORD, NOW)  # claimed, never sent
    no_email = NotificationRecord("delivered", "email", "S1", None)
    notifications.record_skip(ORDER_ID, f"{ORDER_ID}#S1#delivered#email", no_email, "no_email", NOW)

    view = orders.read(ORDER_ID)

    assert view.notifications == [  # sorted by the time they were sent
        NotificationView(type="order_confirmed", channel="email", sent_at=later(3),
                         provider_message_id="ses-1"),
        NotificationView(type="order_confirmed", channel="webhook", sent_at=later(9),
                         provider_message_id=None),
    ]  # fmt: skip
    assert [(n.type, n.channel, n.reason) for n in view.skipped_notifications] == [
        ("delivered", "email", "no_email")
    ]
