"""Notification planning: which state changes are worth a message, to whom, how and when.

Pure rules over an OutboxMessage and an OrderSnapshot; the SQS sender renders and sends the plan.
"""

from chalicelib.domain.notifications.milestones import (
    RULES,
    Milestone,
    Rule,
    dedup_key,
    message_types,
    milestone_for,
)
from chalicelib.domain.notifications.planning import (
    CUSTOMER_CHANNELS,
    DEFAULT_POLICY,
    NotificationPolicy,
    customer_channels,
    plan,
)
from chalicelib.domain.notifications.quiet_hours import is_quiet, next_send_time
from chalicelib.domain.notifications.recipient import Recipient, time_zone_for
from chalicelib.domain.notifications.snapshot import OrderSnapshot, ShipmentSnapshot
from chalicelib.domain.notifications.values import (
    Channel,
    CustomerChannel,
    Delivery,
    Plan,
    Skip,
    SkipReason,
)

__all__ = [
    "CUSTOMER_CHANNELS",
    "DEFAULT_POLICY",
    "RULES",
    "Channel",
    "CustomerChannel",
    "Delivery",
    "Milestone",
    "NotificationPolicy",
    "OrderSnapshot",
    "Plan",
    "Recipient",
    "Rule",
    "ShipmentSnapshot",
    "Skip",
    "SkipReason",
    "customer_channels",
    "dedup_key",
    "is_quiet",
    "message_types",
    "milestone_for",
    "next_send_time",
    "plan",
    "time_zone_for",
]
