"""Public models of the withdrawal function: the declaration, its receipt, the merchant's reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from chalicelib.domain.withdrawals import PeriodState
from chalicelib.models.base import ApiModel
from chalicelib.models.promise import Quantity, Sku
from chalicelib.models.report_range import ReportRange
from chalicelib.models.types import ADDRESS_PART

NAME_MAX = 200
EMAIL_MAX = 254
# Shape only: an address the acknowledgement can be sent to, nothing about whose it is.
EMAIL_PATTERN = f"^{ADDRESS_PART}+@{ADDRESS_PART}+\\.{ADDRESS_PART}+$"
ORDER_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"  # the shop's order ids (models/orders.py)

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    Field(description="The consumer's name, as they give it"),
]
DeclaredOrderId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=ORDER_PATTERN),
    Field(description="The order number, as the consumer gives it", examples=["1001"]),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=EMAIL_MAX, pattern=EMAIL_PATTERN),
    Field(description="Where the acknowledgement goes (checked for its shape only)"),
]
WithdrawalId = Annotated[
    str,
    Field(pattern=r"^W[0-9A-F]{12}$", description="The declaration's id",
          examples=["W1A2B3C4D5E6F"]),
]  # fmt: skip
LocaleTag = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$",
        description="The language of the acknowledgement (de, en; others read English)",
        examples=["de-DE"],
    ),
]


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class WithdrawnItemModel(_Request):
    sku: Sku
    quantity: Quantity


class WithdrawalRequest(_Request):
    """A declaration of withdrawal, sent after the storefront's own confirmation step."""

    name: Name
    order_id: DeclaredOrderId
    email: Email
    items: Annotated[
        list[WithdrawnItemModel] | None,
        Field(max_length=100, description="Part of the order only; none: the whole contract"),
    ] = None
    locale: LocaleTag | None = None


class WithdrawalReceipt(ApiModel):
    """The same answer whether or not the declaration names an order of this shop."""

    withdrawal_id: WithdrawalId
    received_at: Annotated[datetime, Field(description="When the declaration was recorded")]


class PeriodView(ApiModel):
    state: Annotated[
        PeriodState,
        Field(description="within, expired, or not_delivered (the period has not begun)"),
    ]
    days: int
    delivered_at: Annotated[
        datetime | None, Field(description="The delivery of the order's last parcel")
    ] = None
    ends_on: Annotated[date | None, Field(description="The period's last day")] = None


class WithdrawalView(ApiModel):
    withdrawal_id: WithdrawalId
    received_at: datetime
    name: str
    order_id: str
    email: str
    items: list[WithdrawnItemModel] = []
    locale: str | None = None
    matched: Annotated[
        bool, Field(description="Order number and e-mail address name an order of this shop")
    ]
    period: Annotated[
        PeriodView | None,
        Field(description="Matched only: the statutory period as the data show it "
              "(information, never a reason to refuse)"),
    ] = None  # fmt: skip
    acknowledgement: Annotated[
        Literal["sent", "limited"],
        Field(description="limited: the address had its acknowledgements for the day"),
    ]
    retain_until: datetime
    return_id: Annotated[str | None, Field(description="The return opened from it")] = None


class WithdrawalList(ApiModel):
    withdrawals: Annotated[list[WithdrawalView], Field(description="Oldest first")]


class WithdrawalListQuery(ReportRange):
    """The days of receipt (UTC); ``matched`` narrows to matched or unmatched declarations."""

    matched: bool | None = None


class WithdrawalIdPath(_Request):
    withdrawal_id: WithdrawalId


class WithdrawalIdempotencyHeader(_Request):
    key: Annotated[
        str | None,
        Field(
            alias="Idempotency-Key",
            min_length=1,
            max_length=100,
            pattern=r"^[A-Za-z0-9._:-]{1,100}$",
            description="A retry with the same key and body answers the declaration recorded "
            "before (200), with another body 409",
        ),
    ] = None
