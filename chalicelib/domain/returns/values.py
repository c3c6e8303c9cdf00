"""The values a return is made of: reasons, resolutions, statuses, and the return record itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    REJECTED = "rejected"


# The documented reason codes (docs/api.md, "Returns"); `other` needs a free text.
CustomerReason = Literal[
    "too_small", "too_large", "damaged", "not_as_described", "wrong_item", "changed_mind", "other"
]
# A return opened from a withdrawal (POST /v1/withdrawals/{id}/return) says so: the consumer
# owes no reason, and no request may claim it.
Reason = CustomerReason | Literal["withdrawal"]

# What the customer wishes for; `exchange` names the wanted SKU.
ResolutionKind = Literal["refund", "exchange", "store_credit"]

# How the warehouse found an item it received.
Condition = Literal["as_new", "used", "damaged", "missing"]

# Who moved the return: the merchant's API, the return parcel's carrier, or the request itself.
Source = Literal["request", "merchant", "carrier"]


@dataclass(frozen=True, slots=True)
class ReturnLine:
    sku: str
    quantity: int
    reason: Reason
    note: str | None = None  # the customer's words; required for `other`


@dataclass(frozen=True, slots=True)
class Resolution:
    kind: ResolutionKind
    exchange_sku: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnLabel:
    carrier: str
    tracking_number: str
    label_url: str | None = None
    qr_code: str | None = None  # for drop-off without a printer


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class ItemCondition:
    sku: str
    condition: Condition


@dataclass(frozen=True, slots=True)
class Step:
    """One change a merchant (or the return parcel's carrier) asks for, with what it carries."""

    status: ReturnStatus
    source: Source = "merchant"
    note: str | None = None
    reason: str | None = None  # why a return is rejected
    label: ReturnLabel | None = None  # label_created
    conditions: tuple[ItemCondition, ...] = ()  # received
    refund: Money | None = None  # refunded
    exchange_order_id: str | None = None  # exchanged
    event_id: str | None = None  # carrier steps: the parcel event that made them
    occurred_at: datetime | None = None  # carrier steps: when the scan happened


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    status: ReturnStatus
    at: datetime  # when it happened: the carrier's scan time, else when it was recorded
    source: Source
    note: str | None = None
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class ParcelEvent:
    """A carrier event of the return parcel, kept as it came (canonical parcel status)."""

    event_id: str
    status: str
    occurred_at: datetime
    location: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    return_id: str
    order_id: str
    status: ReturnStatus
    items: tuple[ReturnLine, ...]
    resolution: Resolution
    requested_at: datetime
    history: tuple[HistoryEntry, ...]
    version: int = 1
    label: ReturnLabel | None = None
    parcel_events: tuple[ParcelEvent, ...] = ()
    conditions: tuple[ItemCondition, ...] = ()
    refund: Money | None = None
    exchange_order_id: str | None = None
    rejection_reason: str | None = None

    def quantities(self) -> dict[str, int]:
        """Quantity per SKU this return takes back."""
        total: dict[str, int] = {}
        for line in self.items:
            total[line.sku] = total.get(line.sku, 0) + line.quantity
        return total

    def knows_parcel_event(self, event_id: str) -> bool:
        return any(e.event_id == event_id for e in self.parcel_events)
