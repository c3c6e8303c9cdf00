"""Outbox messages: what a state change asks the notification side to consider.

The order-status side writes one of these in the same DynamoDB transaction as the change; the
stream relay moves it to SQS; the sender decides whether it is worth a message. The message holds
ids and statuses only — no personal data travels through the queue; the sender reads the order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.channels import Channel

OutboxKind = Literal[
    "order_confirmed",  # an order was registered
    "shipment_status",  # a shipment's canonical status changed (status, previous)
    "promise_state",  # the order's promise state changed (on_track → at_risk/late/kept/broken)
    "order_status",  # the order's derived status changed (e.g. delivered: every shipment arrived)
    "return_status",  # a return moved (requested, received, refunded, ...)
    "rating_reminder",  # three days after delivery, the order is still not rated
    "low_rating",  # the customer rated 1–3 (status: the rating): the merchant should follow up
    # A withdrawal was declared (status: "sent", or "limited" when the address had its
    # acknowledgements for the day): order_id is the number as declared, perhaps no order's.
    "withdrawal_received",
]


class OutboxMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Deterministic: the same change always yields the same id, so a replay is recognisable.
    message_id: str
    kind: OutboxKind
    order_id: str
    shipment_id: str | None = None
    return_id: str | None = None
    withdrawal_id: str | None = None
    status: str | None = None
    previous: str | None = None
    occurred_at: datetime

    @staticmethod
    def make_id(kind: str, order_id: str, ref: str | None, status: str | None) -> str:
        return f"{kind}#{order_id}#{ref or '-'}#{status or '-'}"


class QueuedNotification(BaseModel):
    """The notification queue's message body: an outbox message, and which channels it is for.

    The relay enqueues every channel (``channels`` None). A delivery that must wait (an SMS in
    the customer's night) comes back as a delayed copy limited to the channels still owed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: OutboxMessage
    channels: tuple[Channel, ...] | None = None
