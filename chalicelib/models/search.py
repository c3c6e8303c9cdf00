"""The promise where shoppers decide: the queries of the structured-data, Merchant Center and
widget routes, and the answers' shapes for the OpenAPI document.

The answers are written by the domain (domain/promise/structured.py, merchant_center.py,
domain/returns/structured.py); the models here describe them, and the API tests hold every
answer to the schema the served document gives it. JSON-LD keywords (``@type``) and schema.org
or Merchant API names (``minValue``, ``minTransitDays``) are the models' aliases.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from chalicelib.models.base import ApiModel
from chalicelib.models.promise import (
    CountryCode,
    Instant,
    PostalCode,
    Quantity,
    Sku,
    check_instant,
    check_instant_range,
    check_postal_code_field,
)
from chalicelib.models.types import QueryInt


def _country_codes(schema: dict[str, Any]) -> None:
    """State in the document the codes check_country takes (read when it is built)."""
    from chalicelib.domain.promise.holiday_classes import country_codes

    schema["enum"] = country_codes()


# A code that names a country: one the rules do not ship to is an answer, any other code 422.
KnownCountryCode = Annotated[CountryCode, Field(json_schema_extra=_country_codes)]
OptionalPostalCode = Annotated[
    PostalCode | None,
    Field(description="The shopper's postal code, when known: the figures of its lane region"),
]
OptionalSku = Annotated[
    Sku | None, Field(description="The product: the location that stocks it ships (default: none)")
]


def _postal_code_fits(value: str | None, info: ValidationInfo) -> str | None:
    return None if value is None else check_postal_code_field(value, info)


class _Query(ApiModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("at", mode="before", check_fields=False)
    @classmethod
    def _instant(cls, value: Any) -> Any:
        return check_instant(value)

    _instant_range = field_validator("at", check_fields=False)(check_instant_range)


class ShippingDetailsQuery(_Query):
    """Query of GET /v1/promise/shipping-details."""

    country: KnownCountryCode
    postal_code: OptionalPostalCode = None
    sku: OptionalSku = None
    at: Instant = None

    _postal_code = field_validator("postal_code")(_postal_code_fits)


class MerchantCenterQuery(_Query):
    """Query of GET /v1/promise/merchant-center."""

    country: KnownCountryCode


class ReturnPolicyQuery(_Query):
    """Query of GET /v1/returns/policy."""

    country: Annotated[
        KnownCountryCode | None,
        Field(description="One country (default: every one it applies to)"),
    ] = None
    sku: Annotated[
        Sku | None, Field(description="A product: a non-returnable one has no return window")
    ] = None


class WidgetQuery(ApiModel):
    """Query of GET /v1/pages/promise. A page: parameters it does not know are ignored."""

    model_config = ConfigDict(extra="ignore")

    country: CountryCode
    postal_code: PostalCode
    sku: Sku
    quantity: Annotated[Quantity, QueryInt] = 1
    at: Instant = None
    lang: Annotated[str | None, Field(description="de or en (default: the browser's)")] = None

    _postal_code = field_validator("postal_code")(check_postal_code_field)

    @field_validator("at", mode="before")
    @classmethod
    def _instant(cls, value: Any) -> Any:
        return check_instant(value)

    _instant_range = field_validator("at")(check_instant_range)


# -- the answers, for the OpenAPI document -------------------------------------------------------
class _Node(ApiModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class QuantitativeDays(_Node):
    type_: Annotated[Literal["QuantitativeValue"], Field(alias="@type")]
    min_value: Annotated[int, Field(alias="minValue", ge=0)]
    max_value: Annotated[int, Field(alias="maxValue", ge=0)]
    unit_code: Annotated[Literal["DAY"], Field(alias="unitCode")]


class BusinessDays(_Node):
    type_: Annotated[Literal["OpeningHoursSpecification"], Field(alias="@type")]
    day_of_week: Annotated[
        list[str], Field(alias="dayOfWeek", description="https://schema.org/Monday, ...")
    ]


class ShippingDeliveryTime(_Node):
    type_: Annotated[Literal["ShippingDeliveryTime"], Field(alias="@type")]
    handling_time: Annotated[
        QuantitativeDays,
        Field(alias="handlingTime", description="Handling days from receipt to hand-over"),
    ]
    transit_time: Annotated[
        QuantitativeDays,
        Field(alias="transitTime", description="Delivery days from hand-over to delivery"),
    ]
    cutoff_time: Annotated[
        str,
        Field(
            alias="cutoffTime",
            pattern=r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$",
            description="Order cut-off with the UTC offset of the next cut-off's day",
            examples=["17:00:00+01:00"],
        ),
    ]
    business_days: Annotated[
        BusinessDays, Field(alias="businessDays", description="The origin's handling weekdays")
    ]


class MonetaryAmount(_Node):
    type_: Annotated[Literal["MonetaryAmount"], Field(alias="@type")]
    value: Annotated[float, Field(ge=0)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class PostalCodeRange(_Node):
    type_: Annotated[Literal["PostalCodeRangeSpecification"], Field(alias="@type")]
    postal_code_begin: Annotated[str, Field(alias="postalCodeBegin")]
    postal_code_end: Annotated[str, Field(alias="postalCodeEnd")]


class DefinedRegion(_Node):
    type_: Annotated[Literal["DefinedRegion"], Field(alias="@type")]
    address_country: Annotated[str, Field(alias="addressCountry", pattern=r"^[A-Z]{2}$")]
    postal_code: Annotated[str | None, Field(alias="postalCode")] = None
    postal_code_prefix: Annotated[list[str] | None, Field(alias="postalCodePrefix")] = None
    postal_code_range: Annotated[list[PostalCodeRange] | None, Field(alias="postalCodeRange")] = (
        None
    )


class OfferShippingDetails(_Node):
    type_: Annotated[Literal["OfferShippingDetails"], Field(alias="@type")]
    shipping_destination: Annotated[DefinedRegion, Field(alias="shippingDestination")]
    shipping_rate: Annotated[MonetaryAmount | None, Field(alias="shippingRate")] = None
    delivery_time: Annotated[ShippingDeliveryTime | None, Field(alias="deliveryTime")] = None
    does_not_ship: Annotated[Literal[True] | None, Field(alias="doesNotShip")] = None


class ShippingDetails(_Node):
    """Answer of GET /v1/promise/shipping-details: an Offer fragment (JSON-LD)."""

    context: Annotated[Literal["https://schema.org"], Field(alias="@context")]
    type_: Annotated[Literal["Offer"], Field(alias="@type")]
    shipping_details: Annotated[
        list[OfferShippingDetails],
        Field(alias="shippingDetails", description="One per method shipping there"),
    ]


class MerchantReturnPolicy(_Node):
    """Answer of GET /v1/returns/policy (JSON-LD)."""

    context: Annotated[Literal["https://schema.org"], Field(alias="@context")]
    type_: Annotated[Literal["MerchantReturnPolicy"], Field(alias="@type")]
    applicable_country: Annotated[list[str], Field(alias="applicableCountry")]
    return_policy_category: Annotated[str, Field(alias="returnPolicyCategory")]
    merchant_return_days: Annotated[int | None, Field(alias="merchantReturnDays")] = None
    return_method: Annotated[list[str] | None, Field(alias="returnMethod")] = None
    return_fees: Annotated[str | None, Field(alias="returnFees")] = None
    refund_type: Annotated[list[str] | None, Field(alias="refundType")] = None
    return_shipping_fees_amount: Annotated[
        MonetaryAmount | None, Field(alias="returnShippingFeesAmount")
    ] = None


class McPrice(_Node):
    amount_micros: Annotated[str, Field(alias="amountMicros", pattern=r"^-?[0-9]+$")]
    currency_code: Annotated[str, Field(alias="currencyCode")]


class McCutoffTime(_Node):
    hour: Annotated[int, Field(ge=0, le=23)]
    minute: Annotated[int, Field(ge=0, le=59)]
    time_zone: Annotated[str, Field(alias="timeZone", examples=["Europe/Berlin"])]


class McBusinessDays(_Node):
    business_days: Annotated[list[str], Field(alias="businessDays", examples=[["MONDAY"]])]


class McDeliveryTime(_Node):
    min_handling_days: Annotated[int, Field(alias="minHandlingDays")]
    max_handling_days: Annotated[int, Field(alias="maxHandlingDays")]
    min_transit_days: Annotated[int, Field(alias="minTransitDays")]
    max_transit_days: Annotated[int, Field(alias="maxTransitDays")]
    cutoff_time: Annotated[McCutoffTime, Field(alias="cutoffTime")]
    handling_business_day_config: Annotated[
        McBusinessDays, Field(alias="handlingBusinessDayConfig")
    ]
    transit_business_day_config: Annotated[McBusinessDays, Field(alias="transitBusinessDayConfig")]


class McService(_Node):
    service_name: Annotated[str, Field(alias="serviceName")]
    active: bool
    delivery_countries: Annotated[list[str], Field(alias="deliveryCountries")]
    currency_code: Annotated[str, Field(alias="currencyCode")]
    delivery_time: Annotated[McDeliveryTime, Field(alias="deliveryTime")]
    rate_groups: Annotated[
        list[dict[str, Any]],
        Field(alias="rateGroups", description="Merchant API RateGroup: a flat rate or a table"),
    ]


class RegionalMethod(ApiModel):
    method: str
    service_name: str
    postal_codes: Annotated[list[str], Field(description="Inclusive ranges, low-high")]


class MerchantCenterTimes(ApiModel):
    """Answer of GET /v1/promise/merchant-center."""

    country: str
    services: Annotated[
        list[McService], Field(description="Merchant API shipping services (JSON field names)")
    ]
    regional: Annotated[
        list[RegionalMethod],
        Field(description="Methods held to postal ranges: enter them as regions of their own"),
    ]
