"""Public models of returns: the request, the merchant's steps, the return, the summary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from chalicelib.domain.returns.values import (
    Condition,
    CustomerReason,
    Reason,
    ResolutionKind,
    Source,
)
from chalicelib.models.base import ApiModel
from chalicelib.models.promise import Money, Quantity, Sku
from chalicelib.models.report_range import ReportRange

# Written out here rather than imported: the order's view lists its returns (models/orders.py
# imports this module), so this module cannot import that one.
OrderId = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9._-]{1,64}$", description="The shop's order id")
]
Carrier = Annotated[
    str, Field(pattern=r"^[a-z0-9_-]{2,32}$", description="Carrier code", examples=["dhl"])
]
TrackingNumber = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$", description="The return parcel's tracking number")
]

ReturnId = Annotated[
    str,
    Field(pattern=r"^R[0-9A-F]{12}$", description="The return's id", examples=["R1A2B3C4D5E6F"]),
]
ReturnStatusName = Literal[
    "requested",
    "approved",
    "label_created",
    "in_transit",
    "received",
    "refunded",
    "exchanged",
    "rejected",
]
# What the merchant may post; `requested` is the request itself.
MerchantStatus = Literal[
    "approved", "label_created", "in_transit", "received", "refunded", "exchanged", "rejected"
]
Note = Annotated[str, Field(min_length=1, max_length=500)]
IdempotencyKey = Annotated[
    str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]{1,100}$")
]
CustomerToken = Annotated[str, Field(max_length=200, description="The order's customer token")]


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")


class ReturnIdPath(_Request):
    return_id: ReturnId


class IdempotencyHeader(_Request):
    """The return request's headers, under the names they are sent with."""

    key: Annotated[
        IdempotencyKey | None,
        Field(
            alias="Idempotency-Key",
            description="Chosen by the caller per return it means to open: a retry with the "
            "same key and body answers the return opened before (200), with another body 409",
            examples=["r-1001-1"],
        ),
    ] = None


def other_needs_a_note(schema: dict[str, Any]) -> None:
    """State in the JSON schema what ``_other_needs_words`` enforces: reason other → a note."""
    schema["if"] = {"properties": {"reason": {"const": "other"}}, "required": ["reason"]}
    schema["then"] = {"required": ["note"], "properties": {"note": {"type": "string"}}}


class ReturnItemRequest(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra=other_needs_a_note)

    sku: Sku
    quantity: Quantity
    reason: Annotated[CustomerReason, Field(description="Why the item goes back")]
    note: Annotated[Note | None, Field(description="The customer's words; required for other")] = (
        None
    )

    @model_validator(mode="after")
    def _other_needs_words(self) -> Self:
        if self.reason == "other" and not self.note:
            raise ValueError("A note is required when the reason is other")
        return self


def exchange_names_a_sku(schema: dict[str, Any]) -> None:
    """State what ``_exchange_names_a_sku`` enforces: exchange_sku for an exchange only."""
    schema["if"] = {"properties": {"resolution": {"const": "exchange"}}, "required": ["resolution"]}
    schema["then"] = _present("exchange_sku")
    schema["else"] = _absent("exchange_sku")


def _present(*names: str) -> dict[str, Any]:
    return {"required": list(names), "properties": {n: {"not": {"type": "null"}} for n in names}}


def _absent(*names: str) -> dict[str, Any]:
    return {"properties": {n: {"type": "null"} for n in names}}  # left out, or null


class ReturnRequest(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra=exchange_names_a_sku)

    items: Annotated[list[ReturnItemRequest], Field(min_length=1, max_length=100)]
    resolution: Annotated[ResolutionKind, Field(description="What the customer wishes for")]
    exchange_sku: Annotated[Sku | None, Field(description="The wanted SKU (exchange only)")] = None
    token: Annotated[
        CustomerToken | None,
        Field(description="The order's customer token, when the customer asks (no merchant key)"),
    ] = None

    @model_validator(mode="after")
    def _exchange_names_a_sku(self) -> Self:
        if (self.resolution == "exchange") != (self.exchange_sku is not None):
            raise ValueError("exchange_sku is required for an exchange, and only for one")
        return self


def label_or_qr_code(schema: dict[str, Any]) -> None:
    """State what ``_fields_fit_the_status`` enforces of a label: a URL or a QR code."""
    schema["anyOf"] = [_present("label_url"), _present("qr_code")]


class ReturnLabelModel(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra=label_or_qr_code)

    carrier: Carrier
    tracking_number: TrackingNumber
    label_url: Annotated[str | None, Field(pattern=r"^https://", max_length=2000)] = None
    qr_code: Annotated[
        str | None,
        Field(min_length=1, max_length=4000, description="For drop-off without a printer"),
    ] = None


class ItemConditionModel(_Request):
    sku: Sku
    condition: Condition


# What each status needs, and what it may carry.
STEP_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "approved": ((), ()),
    "label_created": (("label",), ()),
    "in_transit": ((), ()),
    "received": ((), ("conditions",)),
    "refunded": (("refund",), ()),
    "exchanged": (("exchange_order_id",), ()),
    "rejected": (("reason",), ()),
}
OPTIONAL_STEP_FIELDS = ("label", "conditions", "refund", "exchange_order_id", "reason")


def fields_fit_the_status(schema: dict[str, Any]) -> None:
    """State STEP_FIELDS in the JSON schema: per status, what it needs and what it may not carry."""
    rules = []
    for status, (required, optional) in STEP_FIELDS.items():
        barred = [n for n in OPTIONAL_STEP_FIELDS if n not in required + optional]
        then: dict[str, Any] = {"allOf": [_present(*required), _absent(*barred)]}
        if not required:
            then = _absent(*barred)
        condition = {"properties": {"status": {"const": status}}, "required": ["status"]}
        rules.append({"if": condition, "then": then})
    schema["allOf"] = rules


class ReturnEventRequest(_Request):
    model_config = ConfigDict(extra="forbid", json_schema_extra=fields_fit_the_status)

    status: MerchantStatus
    note: Note | None = None
    reason: Annotated[Note | None, Field(description="Why the return is rejected")] = None
    label: Annotated[
        ReturnLabelModel | None,
        Field(description="label_created: the return parcel's carrier, tracking number, and a "
              "label URL or QR code"),
    ] = None  # fmt: skip
    conditions: Annotated[
        list[ItemConditionModel] | None,
        Field(max_length=100, description="received: each item's condition (at most 100)"),
    ] = None
    refund: Annotated[Money | None, Field(description="refunded: the amount refunded")] = None
    exchange_order_id: Annotated[OrderId | None, Field(description="exchanged: the new order")] = (
        None
    )

    @model_validator(mode="after")
    def _fields_fit_the_status(self) -> Self:
        required, optional = STEP_FIELDS[self.status]
        for name in required:
            if getattr(self, name) is None:
                raise ValueError(f"{name} is required for {self.status}")
        for name in OPTIONAL_STEP_FIELDS:
            if name not in required + optional and getattr(self, name) is not None:
                raise ValueError(f"{name} does not belong to {self.status}")
        label = self.label
        if label is not None and not (label.label_url or label.qr_code):
            raise ValueError("a label needs a label_url or a qr_code")
        return self


class ReturnItemView(ApiModel):
    sku: str
    quantity: int
    reason: Reason
    note: str | None = None
    condition: Condition | None = None


class ReturnHistoryView(ApiModel):
    status: ReturnStatusName
    at: datetime
    source: Source
    note: str | None = None


class ReturnParcelEventView(ApiModel):
    event_id: str
    status: Annotated[str, Field(description="Canonical parcel status")]
    occurred_at: datetime
    location: str | None = None


class ReturnView(ApiModel):
    return_id: str
    order_id: str
    status: ReturnStatusName
    resolution: ResolutionKind
    exchange_sku: str | None = None
    items: list[ReturnItemView]
    requested_at: datetime
    history: Annotated[list[ReturnHistoryView], Field(description="Status changes, oldest first")]
    label: ReturnLabelModel | None = None
    parcel_events: Annotated[
        list[ReturnParcelEventView], Field(description="The return parcel's scans, newest first")
    ] = []
    refund: Money | None = None
    exchange_order_id: str | None = None
    rejection_reason: str | None = None


class SummaryQuery(ReportRange):
    """Query of GET /v1/returns/summary: the days it covers, nothing else."""


class RankedReasonView(ApiModel):
    reason: Reason
    items: int


class ReturnsSummaryView(ApiModel):
    count: Annotated[int, Field(description="Returns requested in the period")]
    orders: Annotated[int, Field(description="Orders registered in the period")]
    rate: Annotated[float | None, Field(description="Returns per order; null without orders")]
    reasons: Annotated[
        list[RankedReasonView], Field(description="Returned items per reason, most first")
    ]
    refunded: Annotated[int, Field(description="Returns refunded in the period")]
    median_days_to_refund: Annotated[
        float | None, Field(description="Median whole days from request to refund")
    ]
