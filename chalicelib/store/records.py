"""What the store hands to the services: typed records, never a raw item or a dict read by key.

``store/codec.py`` maps them to and from the table's attributes; only ``store/`` knows that shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.channels import CustomerChannel
from chalicelib.domain.facts import Fact
from chalicelib.domain.orders import OrderState, ShipmentEvent, ShipmentState
from chalicelib.domain.outbox import OutboxMessage


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    name: str
    email: str | None
    phone: str | None
    locale: str
    channels: tuple[CustomerChannel, ...]
    time_zone: str | None  # the customer's own zone only; None: the country's zones apply


@dataclass(frozen=True, slots=True)
class DestinationRecord:
    country: str  # the quiet-hours zones of a customer who gave none
    postal_code: str
    # The address as given: personal data, kept with the order and never copied or logged.
    city: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None


@dataclass(frozen=True, slots=True)
class ItemRecord:
    sku: str
    quantity: int
    name: str | None = None
    exchange_skus: tuple[str, ...] = ()  # what a return may ask for instead; () the same SKU


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    """The promise the customer was shown, and where it came from (``token`` or ``merchant``)."""

    method: str
    earliest: date
    latest: date
    source: str
    rule: str | None = None  # the promise rule's key: its transit estimate backs parcels up
    carrier: str | None = None
    service: str | None = None
    origin: str | None = None  # the location a single-parcel quote shipped from (lane statistics)


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """The registration as the merchant sent it (and the hash that makes a repeat recognisable).

    ``customer`` and ``destination`` are None on a tracking-number copy, which carries no
    personal data.
    """

    placed_at: datetime
    items: tuple[ItemRecord, ...]
    promise: PromiseRecord
    body_hash: str
    customer: CustomerRecord | None = None
    destination: DestinationRecord | None = None

    def item_names(self) -> dict[str, str | None]:
        return {item.sku: item.name for item in self.items}


@dataclass(frozen=True)
class StoredOrder:
    """The order aggregate; ``revision`` is its one optimistic-locking counter.

    ``token_generation``: the generation of customer tokens that open the order (the first
    until the merchant replaces its token). It has a condition of its own, apart from the
    revision: a tracking copy (read by the webhooks) never carries it, and replacing the token
    must not make every copy stale.
    """

    record: OrderRecord
    order: OrderState
    shipments: tuple[ShipmentState, ...]
    revision: int
    token_generation: int = 1

    @property
    def order_id(self) -> str:
        return self.order.order_id


@dataclass(frozen=True)
class OrderChange:
    """One use case's write, committed whole or not at all."""

    before: StoredOrder  # as read: the write holds only while its revision is the stored one
    after: StoredOrder
    messages: Sequence[OutboxMessage]  # the outbox records that announce the change
    now: datetime
    event: StoredEvent | None = None  # the carrier event behind it, remembered as seen once
    facts: Sequence[Fact] = ()  # what the change teaches the counters, committed with it
    # Whether the event enters its parcel's timeline (a parcel keeps its newest events), and the
    # ids of the parcel's stored events that leave the timeline with this change.
    in_timeline: bool = True
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A carrier event of one of the order's shipments, with where and when it came in."""

    shipment_id: str
    event: ShipmentEvent
    source: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class SentNotification:
    """A milestone that went out on one channel (named as the order's API shows it)."""

    type: str  # the message type
    channel: str
    sent_at: datetime
    provider_message_id: str | None
    shipment_id: str | None


@dataclass(frozen=True, slots=True)
class SkippedNotification:
    """A milestone one channel did not carry, and why (no address, no opt-in, refused)."""

    type: str  # the message type
    channel: str
    reason: str
    skipped_at: datetime
    shipment_id: str | None


@dataclass(frozen=True, slots=True)
class NotificationLogEntries:
    """The order's notification log; claims still in flight are neither."""

    sent: tuple[SentNotification, ...]
    skipped: tuple[SkippedNotification, ...]
