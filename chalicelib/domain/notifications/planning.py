"""The notification plan for one outbox message: channels, timing, dedup keys, skip reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time

from chalicelib.domain.notifications.milestones import Milestone, dedup_key, milestone_for
from chalicelib.domain.notifications.quiet_hours import QUIET_FROM, QUIET_UNTIL, next_send_time
from chalicelib.domain.notifications.recipient import Recipient
from chalicelib.domain.notifications.snapshot import OrderSnapshot
from chalicelib.domain.notifications.values import (
    Channel,
    CustomerChannel,
    Delivery,
    Plan,
    Skip,
    SkipReason,
)
from chalicelib.domain.outbox import OutboxMessage

EMAIL_ONLY: tuple[CustomerChannel, ...] = ("email",)
# SMS is for news the customer may act on today; everything else is email only (the default).
CUSTOMER_CHANNELS: Mapping[str, tuple[CustomerChannel, ...]] = {
    "out_for_delivery": ("email", "sms"),
    "failed_attempt": ("email", "sms"),
    "delayed": ("email", "sms"),
}
# Alerts for the merchant alone: they go to the merchant's webhook and never to the customer.
MERCHANT_ALERTS: frozenset[str] = frozenset({"low_rating"})
# Which channels wait for the end of quiet hours.
QUIET_CHANNELS: frozenset[CustomerChannel] = frozenset({"sms"})
MISSING_ADDRESS: Mapping[CustomerChannel, SkipReason] = {"email": "no_email", "sms": "no_phone"}


@dataclass(frozen=True, slots=True)
class NotificationPolicy:
    merchant_webhook: bool = False  # the merchant configured a webhook: mirror what is sent
    quiet_from: time = QUIET_FROM
    quiet_until: time = QUIET_UNTIL


DEFAULT_POLICY = NotificationPolicy()


def customer_channels(message_type: str) -> tuple[CustomerChannel, ...]:
    return CUSTOMER_CHANNELS.get(message_type, EMAIL_ONLY)


def plan(
    message: OutboxMessage,
    order: OrderSnapshot,
    now: datetime,
    policy: NotificationPolicy = DEFAULT_POLICY,
) -> Plan:
    """What to send for ``message``, on which channels, when — and what not, with the reason."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if message.order_id != order.order_id:
        raise ValueError("the order snapshot does not belong to the message")
    found = milestone_for(message, order)
    if isinstance(found, Skip):
        return Plan(message_type=None, skips=(found,))
    if found.message_type in MERCHANT_ALERTS:
        return _merchant_alert(found, order.recipient, now, policy)
    outcomes: list[Delivery | Skip] = [
        _customer_delivery(found, channel, order.recipient, now, policy)
        for channel in customer_channels(found.message_type)
    ]
    if policy.merchant_webhook:
        outcomes.append(_webhook_mirror(found, _deliveries(outcomes)))
    skips = tuple(o for o in outcomes if isinstance(o, Skip))
    return Plan(found.message_type, _deliveries(outcomes), skips)


def _merchant_alert(
    milestone: Milestone, recipient: Recipient, now: datetime, policy: NotificationPolicy
) -> Plan:
    if not policy.merchant_webhook:
        skip = Skip("webhook", "no_merchant_webhook", dedup_key(milestone, "webhook"))
        return Plan(milestone.message_type, skips=(skip,))
    alert = _delivery(milestone, "webhook", now.astimezone(UTC), recipient.locale)
    return Plan(milestone.message_type, (alert,))


def _deliveries(outcomes: list[Delivery | Skip]) -> tuple[Delivery, ...]:
    return tuple(o for o in outcomes if isinstance(o, Delivery))


def _customer_delivery(
    milestone: Milestone,
    channel: CustomerChannel,
    recipient: Recipient,
    now: datetime,
    policy: NotificationPolicy,
) -> Delivery | Skip:
    if channel not in recipient.channels:
        return Skip(channel, "channel_not_opted_in", dedup_key(milestone, channel))
    if not recipient.address(channel):
        return Skip(channel, MISSING_ADDRESS[channel], dedup_key(milestone, channel))
    send_at = now.astimezone(UTC)
    if channel in QUIET_CHANNELS:
        send_at = next_send_time(now, recipient.night_zones, policy.quiet_from, policy.quiet_until)
    return _delivery(milestone, channel, send_at, recipient.locale)


def _webhook_mirror(milestone: Milestone, sent: tuple[Delivery, ...]) -> Delivery | Skip:
    """The merchant's omnichannel record: one entry per message the customer is sent."""
    if not sent:
        return Skip("webhook", "nothing_sent_to_customer", dedup_key(milestone, "webhook"))
    first = min(sent, key=lambda d: d.send_at)
    return _delivery(milestone, "webhook", first.send_at, first.locale)


def _delivery(milestone: Milestone, channel: Channel, send_at: datetime, locale: str) -> Delivery:
    return Delivery(
        channel=channel,
        message_type=milestone.message_type,
        dedup_key=dedup_key(milestone, channel),
        send_at=send_at,
        locale=locale,
        order_id=milestone.order_id,
        shipment_id=milestone.shipment_id,
        return_id=milestone.return_id,
        variant=milestone.variant,
    )
