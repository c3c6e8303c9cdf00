"""Public models of orders, shipments and their tracking timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.channels import CustomerChannel
from chalicelib.domain.date_range import DESCRIPTION as DATE_RANGE
from chalicelib.domain.parcel_status import ParcelStatus
from chalicelib.domain.tracking.status import SkipReason
from chalicelib.domain.webhook_sources import WebhookSourceName
from chalicelib.models.base import ApiModel
from chalicelib.models.promise import (
    CountryCode,
    PostalCode,
    Quantity,
    Sku,
    check_instant,
    check_postal_code_field,
    postal_code_schema,
)
from chalicelib.models.returns import ReturnView
from chalicelib.models.types import ADDRESS_PART, BoundedDate, BoundedInstant, TimeZoneName
from chalicelib.models.withdrawals import WithdrawalView

ORDER_ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
OrderId = Annotated[
    str,
    Field(pattern=ORDER_ID_PATTERN, description="The shop's order id", examples=["1001"]),
]
ShipmentId = Annotated[
    str, Field(pattern=ORDER_ID_PATTERN, description="The shop's shipment id", examples=["S1"])
]
TrackingNumber = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9-]{4,40}$",
        description="The carrier's tracking number",
        examples=["00340434161094042557"],
    ),
]
Carrier = Annotated[
    str, Field(pattern=r"^[a-z0-9_-]{2,32}$", description="Carrier code", examples=["dhl"])
]


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")


class OrderIdPath(_Request):
    order_id: OrderId


class Customer(_Request):
    name: Annotated[str, Field(min_length=1, max_length=200, description="Name to address")]
    email: Annotated[
        str | None,
        Field(
            pattern=rf"^{ADDRESS_PART}{{1,64}}@{ADDRESS_PART}{{1,255}}\.{ADDRESS_PART}{{2,63}}$",
            max_length=320,
            description="Email address for notifications",
        ),
    ] = None
    phone: Annotated[
        str | None,
        Field(pattern=r"^\+[1-9][0-9]{6,14}$", description="Mobile number in E.164, for SMS"),
    ] = None
    locale: Annotated[
        str,
        Field(
            pattern=r"^[a-z]{2}(-[A-Z]{2})?$",
            description="Language of notifications (de-DE, en-GB, ...)",
        ),
    ] = "en-GB"
    channels: Annotated[
        list[CustomerChannel],
        Field(max_length=2, description="Channels the customer opted into (at most 2)"),
    ] = ["email"]
    time_zone: Annotated[
        TimeZoneName | None,
        Field(
            description="IANA time zone name that exists, such as Europe/Berlin "
            "(default: the country's); an unknown name is refused"
        ),
    ] = None


class OrderDestination(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra=postal_code_schema)

    country: CountryCode
    postal_code: PostalCode
    city: Annotated[str | None, Field(max_length=100)] = None
    address_line1: Annotated[str | None, Field(max_length=200)] = None
    address_line2: Annotated[str | None, Field(max_length=200)] = None

    _postal_code_fits = field_validator("postal_code")(check_postal_code_field)


class OrderItem(_Request):
    sku: Sku
    quantity: Quantity
    name: Annotated[str | None, Field(max_length=200, description="Product name")] = None


class OrderedItem(OrderItem):
    """A line of the order: the item bought, and what the merchant offers in exchange for it."""

    exchange_skus: Annotated[
        list[Sku] | None,
        Field(
            min_length=1,
            max_length=20,
            description="The SKUs a return may ask for in exchange for this item (1–20); "
            "without them, only the same SKU",
            # Left out of the dump when absent: an order registered before the field existed
            # hashes as it did, so its replay is still 200, not 409.
            exclude_if=lambda skus: skus is None,
        ),
    ] = None


class ExplicitPromise(_Request):
    method: Annotated[str, Field(pattern=r"^[a-z_]{2,32}$", description="Shipping method")]
    earliest: Annotated[
        BoundedDate, Field(description=f"First promised delivery date, {DATE_RANGE}")
    ]
    latest: Annotated[BoundedDate, Field(description=f"Last promised delivery date, {DATE_RANGE}")]

    @model_validator(mode="after")
    def _window(self) -> ExplicitPromise:
        if self.earliest > self.latest:
            raise ValueError("earliest must not be after latest")
        return self


class RegisterOrderRequest(_Request):
    """Body of POST /v1/orders: the order as the customer placed it, with the promise shown."""

    order_id: OrderId
    placed_at: Annotated[
        BoundedInstant,
        Field(description=f"When the order was placed: instant with offset, {DATE_RANGE}"),
    ]
    customer: Customer
    destination: OrderDestination
    items: Annotated[
        list[OrderedItem], Field(min_length=1, max_length=100, description="1–100 lines")
    ]
    promise_token: Annotated[
        str | None, Field(max_length=4096, description="Token of the quoted option shown")
    ] = None
    promise: Annotated[
        ExplicitPromise | None, Field(description="Instead of a token: the promise as shown")
    ] = None

    _instant = field_validator("placed_at", mode="before")(check_instant)

    @model_validator(mode="after")
    def _one_promise(self) -> RegisterOrderRequest:
        if (self.promise_token is None) == (self.promise is None):
            raise ValueError("give exactly one of promise_token and promise")
        return self


class RegisterOrderResponse(ApiModel):
    order_id: str
    status: str
    token: Annotated[str, Field(description="Customer token: read, return and rate this order")]
    tracking_url: str


class CustomerTokenView(ApiModel):
    """Answer of POST /v1/orders/{order_id}/token: the order's new customer token."""

    order_id: str
    token: Annotated[
        str,
        Field(description="The new customer token; every earlier token of the order is refused"),
    ]
    tracking_url: Annotated[str, Field(description="The tracking page with the new token")]
    expires_at: Annotated[
        datetime, Field(description="When the token ends: the order's placed_at plus the lifetime")
    ]


class RegisterShipmentRequest(_Request):
    shipment_id: ShipmentId
    carrier: Carrier
    tracking_number: TrackingNumber
    items: Annotated[
        list[OrderItem], Field(min_length=1, max_length=100, description="1–100 lines")
    ]


class Promise(ApiModel):
    method: str
    earliest: date
    latest: date
    state: Literal["on_track", "at_risk", "late", "kept", "broken"]


class TrackingEventView(ApiModel):
    event_id: str
    status: ParcelStatus
    occurred_at: datetime
    carrier_status: str | None = None
    location: str | None = None
    description: str | None = None
    estimated_delivery: date | None = None


class ShipmentView(ApiModel):
    shipment_id: str
    carrier: str
    tracking_number: str
    status: ParcelStatus = Field(
        description="Canonical status of the newest event; info_received before the first "
        "scan (the shop has handed the parcel's data over, no carrier event yet)"
    )
    estimated_delivery: date | None = None
    items: list[OrderItem]
    events: Annotated[list[TrackingEventView], Field(description="Newest first")]


class NotificationView(ApiModel):
    type: str
    channel: str
    sent_at: datetime
    provider_message_id: str | None = None
    shipment_id: str | None = None


class SkippedNotificationView(ApiModel):
    """A milestone a channel did not carry, and why (no e-mail address, no SMS opt-in, ...)."""

    type: str
    channel: str
    reason: str
    skipped_at: datetime
    shipment_id: str | None = None


class OrderFeedbackView(ApiModel):
    """The customer's rating of the order (POST /v1/feedback), as it stands now."""

    rating: int
    comment: str | None = None
    tags: list[str] = []
    rated_at: datetime
    changeable_until: datetime


class OrderView(ApiModel):
    order_id: str
    status: Literal[
        "confirmed",
        "partially_shipped",
        "shipped",
        "partially_delivered",
        "delivered",
        "exception",
        "cancelled",
    ]
    placed_at: datetime
    promise: Promise
    items: list[OrderedItem]
    shipments: list[ShipmentView]
    returns: Annotated[list[ReturnView], Field(description="Oldest first")] = []
    withdrawals: Annotated[
        list[WithdrawalView],
        Field(description="Declarations of withdrawal matched to the order, oldest first"),
    ] = []
    notifications: Annotated[list[NotificationView], Field(description="Sent, oldest first")] = []
    skipped_notifications: list[SkippedNotificationView] = []
    feedback: OrderFeedbackView | None = None
    tracking_url: str | None = None


class CustomerTokenQuery(ApiModel):
    # Not `forbid`: mail tools add utm_source and friends to the links customers follow.
    model_config = ConfigDict(extra="ignore")

    token: Annotated[
        str | None, Field(max_length=200, description="The order's customer token")
    ] = None


class WebhookSourcePath(_Request):
    source: Annotated[WebhookSourceName, Field(description="The sender's format")]


class WebhookResult(ApiModel):
    accepted: Annotated[int, Field(description="Events stored now")]
    duplicates: Annotated[int, Field(description="Events already stored before")]
    unknown_tracking_numbers: Annotated[list[str], Field(description="Not registered here")]
    skipped: Annotated[
        dict[SkipReason, int],
        Field(
            description="Events that changed nothing, counted by reason (absent: none): the "
            "sender's statuses without parcel information or timestamp, checkpoints beyond the "
            "100 newest, unknown tracking numbers, another carrier than the parcel's, scans "
            "dated before the order or more than a day ahead, estimates far from the present",
            examples=[{"unknown_tracking_number": 2, "before_order": 1}],
        ),
    ] = {}
