"""Channel choice, skip reasons, the merchant mirror, dedup keys and SMS timing of a plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.notifications import (
    NotificationPolicy,
    OrderSnapshot,
    Plan,
    Skip,
    message_types,
    plan,
)
from chalicelib.domain.notifications.planning import MERCHANT_ALERTS
from chalicelib.domain.outbox import OutboxKind, OutboxMessage
from tests.unit.notifications.builders import NOW, message, order, recipient, shipment

SMS_TYPES = {"out_for_delivery", "delayed", "failed_attempt"}
WEBHOOK = NotificationPolicy(merchant_webhook=True)
BERLIN_NIGHT = datetime(2026, 12, 23, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
BERLIN_MORNING = datetime(2026, 12, 24, 7, 0, tzinfo=UTC)  # 08:00 in Berlin

# One triggering message per message type: (kind, status, message refs).
TRIGGERS: dict[str, tuple[OutboxKind, str | None, dict[str, Any]]] = {
    "order_confirmed": ("order_confirmed", None, {}),
    "shipped": ("shipment_status", "in_transit", {"shipment_id": "S1"}),
    "out_for_delivery": ("shipment_status", "out_for_delivery", {"shipment_id": "S1"}),
    "failed_attempt": ("shipment_status", "failed_attempt", {"shipment_id": "S1"}),
    "available_for_pickup": ("shipment_status", "available_for_pickup", {"shipment_id": "S1"}),
    "delivered": ("order_status", "delivered", {}),
    "all_delivered": ("order_status", "delivered", {}),
    "delayed": ("promise_state", "late", {}),
    "return_received": ("return_status", "received", {"return_id": "R1"}),
    "refund_issued": ("return_status", "refunded", {"return_id": "R1"}),
    "rating_reminder": ("rating_reminder", None, {}),
    "low_rating": ("low_rating", "2", {}),
}


def trigger(message_type: str, **recipient_changes: Any) -> tuple[OutboxMessage, OrderSnapshot]:
    """The message that yields ``message_type`` and the order right after it."""
    kind, status, refs = TRIGGERS[message_type]
    if message_type == "all_delivered":
        view = order(shipment("S1", "delivered"), shipment("S2", "delivered"), status="delivered")
    elif message_type == "delivered":
        view = order(shipment("S1", "delivered"), status="delivered")
    else:
        parcel_status = status if kind == "shipment_status" else "in_transit"
        view = order(shipment("S1", parcel_status), promise_state="late")
    view = replace(view, recipient=recipient(**recipient_changes))
    return message(kind, status, **refs), view


def channels(result: Plan) -> list[str]:
    return [d.channel for d in result.deliveries]


def test_every_message_type_has_a_trigger_in_these_tests() -> None:
    assert set(TRIGGERS) == message_types()


@pytest.mark.parametrize("message_type", sorted(message_types() - MERCHANT_ALERTS))
def test_email_always_and_sms_only_for_the_three_urgent_types(message_type: str) -> None:
    # Given a customer with email and phone who opted into both
    msg, view = trigger(message_type)
    # When the milestone is planned at midday
    result = plan(msg, view, NOW)
    # Then email always goes, SMS only for out_for_delivery, delayed and failed_attempt
    assert result.message_type == message_type
    assert channels(result) == (["email", "sms"] if message_type in SMS_TYPES else ["email"])
    assert result.skips == ()
    assert all(d.send_at == NOW and d.locale == "de-DE" for d in result.deliveries)


@pytest.mark.parametrize(
    ("changes", "expected_channels", "skips"),
    [
        ({"email": None}, ["sms"], [Skip("email", "no_email")]),
        ({"phone": None}, ["email"], [Skip("sms", "no_phone")]),
        ({"channels": ("email",)}, ["email"], [Skip("sms", "channel_not_opted_in")]),
        ({"channels": ("sms",)}, ["sms"], [Skip("email", "channel_not_opted_in")]),
        (
            {"channels": (), "phone": None},
            [],
            [Skip("email", "channel_not_opted_in"), Skip("sms", "channel_not_opted_in")],
        ),
        ({"email": None, "phone": None}, [], [Skip("email", "no_email"), Skip("sms", "no_phone")]),
    ],
)
def test_missing_contact_or_consent_skips_the_channel_with_a_reason(
    changes: dict[str, Any], expected_channels: list[str], skips: list[Skip]
) -> None:
    msg, view = trigger("out_for_delivery", **changes)
    result = plan(msg, view, NOW)
    assert channels(result) == expected_channels
    assert list(result.skips) == skips


def test_an_email_only_type_records_no_sms_skip() -> None:
    # SMS is not a channel of "shipped" at all, so not sending it is no skip worth recording
    msg, view = trigger("shipped", phone=None)
    assert plan(msg, view, NOW).skips == ()


def test_sms_at_night_is_deferred_to_eight_local_and_email_goes_now() -> None:
    # Given a parcel out for delivery reported at 23:30 Berlin time
    msg, view = trigger("out_for_delivery")
    # When planned
    result = plan(msg, view, BERLIN_NIGHT)
    # Then the email goes now and the SMS waits for 08:00 in Berlin — deferred, not dropped
    send_at = {d.channel: d.send_at for d in result.deliveries}
    assert send_at == {"email": BERLIN_NIGHT, "sms": BERLIN_MORNING}


def test_quiet_hours_follow_the_customers_own_zone() -> None:
    msg, view = trigger("failed_attempt", time_zone="America/New_York")
    result = plan(msg, view, BERLIN_NIGHT)  # 17:30 in New York: fine to text
    assert {d.channel: d.send_at for d in result.deliveries}["sms"] == BERLIN_NIGHT


def test_send_at_is_utc_whatever_zone_now_is_given_in() -> None:
    msg, view = trigger("out_for_delivery")
    local_now = NOW.astimezone(ZoneInfo("Asia/Tokyo"))
    assert all(d.send_at.tzinfo is UTC for d in plan(msg, view, local_now).deliveries)


@pytest.mark.parametrize("message_type", sorted(message_types()))
def test_merchant_webhook_mirrors_each_message_once(message_type: str) -> None:
    msg, view = trigger(message_type)
    result = plan(msg, view, NOW, WEBHOOK)
    mirrors = [d for d in result.deliveries if d.channel == "webhook"]
    assert len(mirrors) == 1
    assert mirrors[0].message_type == message_type
    assert mirrors[0].dedup_key.endswith("#webhook")


def test_mirror_follows_the_first_message_the_customer_actually_gets() -> None:
    # Only SMS is possible and it waits for the morning: the merchant's record waits with it
    msg, view = trigger("delayed", email=None)
    result = plan(msg, view, BERLIN_NIGHT, WEBHOOK)
    assert {d.channel: d.send_at for d in result.deliveries} == {
        "sms": BERLIN_MORNING,
        "webhook": BERLIN_MORNING,
    }


def test_no_mirror_when_nothing_reaches_the_customer() -> None:
    msg, view = trigger("shipped", email=None)
    result = plan(msg, view, NOW, WEBHOOK)
    assert result.deliveries == ()
    assert result.skips == (Skip("email", "no_email"), Skip("webhook", "nothing_sent_to_customer"))


def test_no_mirror_without_a_configured_webhook() -> None:
    msg, view = trigger("shipped")
    assert "webhook" not in channels(plan(msg, view, NOW))


# --- dedup keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message_type", "keys"),
    [
        ("order_confirmed", ["1001#-#order_confirmed#email"]),
        ("shipped", ["1001#S1#shipped#email"]),
        ("out_for_delivery", ["1001#S1#out_for_delivery#email", "1001#S1#out_for_delivery#sms"]),
        ("delivered", ["1001#S1#delivered#email"]),
        ("all_delivered", ["1001#-#all_delivered#email"]),
        ("delayed", ["1001#-#delayed:late#email", "1001#-#delayed:late#sms"]),
        ("return_received", ["1001#R1#return_received#email"]),
    ],
)
def test_dedup_keys_name_order_parcel_type_and_channel(message_type: str, keys: list[str]) -> None:
    msg, view = trigger(message_type)
    assert [d.dedup_key for d in plan(msg, view, NOW).deliveries] == keys


def test_same_milestone_same_keys_however_often_and_whenever_planned() -> None:
    # A redelivered message, or a deferred SMS planned again in the morning, gets the same keys
    msg, view = trigger("failed_attempt")
    later = message("shipment_status", "failed_attempt", shipment_id="S1")
    first = plan(msg, view, BERLIN_NIGHT, WEBHOOK)
    again = plan(later, view, BERLIN_MORNING + timedelta(minutes=1), WEBHOOK)
    assert [d.dedup_key for d in first.deliveries] == [d.dedup_key for d in again.deliveries]


def test_delay_is_told_once_per_promise_state() -> None:
    at_risk = plan(message("promise_state", "at_risk"), order(promise_state="at_risk"), NOW)
    late = plan(message("promise_state", "late"), order(promise_state="late"), NOW)
    assert at_risk.deliveries[0].dedup_key != late.deliveries[0].dedup_key
    assert {at_risk.deliveries[0].variant, late.deliveries[0].variant} == {"at_risk", "late"}


def test_two_returns_of_one_order_are_two_messages() -> None:
    view = order()
    first = plan(message("return_status", "received", return_id="R1"), view, NOW)
    second = plan(message("return_status", "received", return_id="R2"), view, NOW)
    assert first.deliveries[0].dedup_key != second.deliveries[0].dedup_key


def test_parcels_of_a_split_order_have_their_own_keys() -> None:
    view = order(shipment("S1", "out_for_delivery"), shipment("S2", "out_for_delivery"))
    plans = [
        plan(message("shipment_status", "out_for_delivery", shipment_id=sid), view, NOW)
        for sid in ("S1", "S2")
    ]
    keys = {d.dedup_key for p in plans for d in p.deliveries}
    assert len(keys) == 4  # two parcels × (email, sms)


# --- guard rails ----------------------------------------------------------------------------


def test_naive_now_is_refused() -> None:
    msg, view = trigger("shipped")
    with pytest.raises(ValueError, match="timezone-aware"):
        plan(msg, view, NOW.replace(tzinfo=None))


def test_a_snapshot_of_another_order_is_refused() -> None:
    msg, view = trigger("shipped")
    with pytest.raises(ValueError, match="does not belong"):
        plan(msg, replace(view, order_id="2002"), NOW)


def test_a_low_rating_alerts_the_merchants_webhook_and_never_the_customer() -> None:
    msg, view = trigger("low_rating")

    alerted = plan(msg, view, NOW, WEBHOOK)
    unconfigured = plan(msg, view, NOW)

    assert [(d.channel, d.variant) for d in alerted.deliveries] == [("webhook", "2")]
    assert unconfigured.deliveries == ()
    assert [s.reason for s in unconfigured.skips] == ["no_merchant_webhook"]
