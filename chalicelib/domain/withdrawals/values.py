"""The values a withdrawal is made of: what the consumer declared, and the record kept as proof."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

# As the data show it when the declaration arrived: information for the merchant, never a
# reason to refuse (a consumer may withdraw before delivery, and the merchant decides on a late
# one).
PeriodState = Literal["within", "expired", "not_delivered"]
# Whether the customer is sent the acknowledgement, or the address reached its daily limit.
Acknowledgement = Literal["sent", "limited"]


@dataclass(frozen=True, slots=True)
class WithdrawnItem:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Declaration:
    """What the consumer gave: the only content the acknowledgement may repeat."""

    name: str
    order_id: str
    email: str
    items: tuple[WithdrawnItem, ...] = ()  # empty: the whole contract
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """The statutory withdrawal period of a matched order, as its deliveries show it."""

    state: PeriodState
    days: int
    delivered_at: datetime | None = None  # the first delivery scan of the order's last parcel
    ends_on: date | None = None  # the last day of the period, in the order's zone


@dataclass(frozen=True, slots=True)
class WithdrawalRecord:
    withdrawal_id: str
    declaration: Declaration
    received_at: datetime  # the server's clock when the record was written
    matched: bool  # order number and address agree with a registered order
    period: Period | None  # matched declarations only
    zone: str  # IANA zone the receipt is stated in (the customer's, else the shop's)
    language: str  # the acknowledgement's language ("de", "en")
    acknowledgement: Acknowledgement
    retain_until: datetime
    return_id: str | None = None  # the return opened from it (POST /v1/withdrawals/{id}/return)
