"""The values a notification plan is made of: what to send where and when, and what was skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from chalicelib.domain.channels import Channel, CustomerChannel

__all__ = ["Channel", "CustomerChannel", "Delivery", "Plan", "Skip", "SkipReason"]

SkipReason = Literal[
    "not_a_milestone",  # no rule for this (kind, status): e.g. a repeated in-transit scan
    "repeated_milestone",  # the status was reached before (back in transit after a delivery run)
    "superseded",  # the shipment, order or promise has moved on since; the news is stale
    "unknown_shipment",  # the message names a shipment the order does not have
    "covered_by_order_delivered",  # this parcel completed the order; the order message says it
    "channel_not_opted_in",  # the customer did not choose this channel
    "no_email",
    "no_phone",
    "nothing_sent_to_customer",  # the merchant mirror only records what the customer was sent
    "no_merchant_webhook",  # an alert for the merchant, who configured no webhook
    "rejected_by_provider",  # SES/SNS/the merchant refused the address for good (the sender)
]


@dataclass(frozen=True, slots=True)
class Skip:
    channel: Channel | None  # None: the message as a whole is not worth sending
    reason: SkipReason
    # Where a channel is skipped for a milestone: the key the sender records the reason under.
    dedup_key: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message on one channel; everything the sender needs to render, send and record it."""

    channel: Channel
    message_type: str
    dedup_key: str  # the sender's conditional write: the same milestone never goes out twice
    send_at: datetime  # aware, UTC; equal to the planning `now` unless quiet hours defer it
    locale: str  # the customer's tag as given (e.g. "de-AT"); the renderer resolves fallbacks
    order_id: str
    shipment_id: str | None = None  # the parcel the message is about (its carrier, tracking no.)
    return_id: str | None = None
    variant: str | None = None  # the status that tells occurrences apart (delayed: at_risk/late)
    withdrawal_id: str | None = None  # the acknowledgement of a withdrawal declaration


@dataclass(frozen=True, slots=True)
class Plan:
    message_type: str | None  # None when the outbox message is not worth any message
    deliveries: tuple[Delivery, ...] = ()
    skips: tuple[Skip, ...] = ()
