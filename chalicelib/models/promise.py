"""Delivery promise quote: request and response models (they also write the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from chalicelib.domain.promise.terms import StepKind, UnavailableReason
from chalicelib.models.base import ApiModel
from chalicelib.models.types import QueryBool, QueryInt, WholeNumber

Locale = Literal["de-DE", "de-AT", "en-GB", "en-US", "en-DE"]
SUPPORTED_LOCALES: tuple[str, ...] = get_args(Locale)

# Postal codes by country: so many digits; every other country: 3–10 letters or digits.
POSTAL_CODE_DIGITS: dict[str, int] = {"DE": 5, "AT": 4}
# One spelling for Python's re and pydantic's own (Rust) regex; [0-9], not \d: ASCII digits only.
ISO_INSTANT_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})"
)
ISO_INSTANT = re.compile(ISO_INSTANT_PATTERN)
NOT_AN_INSTANT = "Input should be an ISO 8601 instant with offset"
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
QUERY_PLUS_OFFSET = re.compile(r" ([0-9]{2}:?[0-9]{2})$")
# Instants far from today are surely mistakes; the bound also keeps calendar caches small.
EARLIEST_AT = datetime.fromisoformat("2000-01-01T00:00:00+00:00")
LATEST_AT = datetime.fromisoformat("2099-12-31T00:00:00+00:00")

CountryCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 country code, upper case",
        examples=["DE"],
    ),
]
PostalCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9]{3,10}$",
        description="Postal code valid for the country (DE: 5 digits, AT: 4 digits, "
        "others: 3–10 letters or digits; ASCII digits only)",
        examples=["10115"],
    ),
]
Sku = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Stock keeping unit",
        examples=["TSHIRT-M"],
    ),
]
LocationId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Warehouse or store id",
        examples=["WH-LEIPZIG"],
    ),
]
MAX_LOCATIONS = 50
# WholeNumber after the bounds: a validator before them would hide them from the JSON schema.
Quantity = Annotated[int, Field(ge=1, le=999, description="Units of the SKU (1–999)"), WholeNumber]
OnHand = Annotated[
    int, Field(ge=0, le=1_000_000, description="Units on hand at the location"), WholeNumber
]
Instant = Annotated[
    AwareDatetime | None,
    Field(
        description="The moment the customer looks: ISO 8601 instant with offset (default: now)",
        examples=["2026-12-23T16:30:00+01:00"],
    ),
]
LocaleField = Annotated[
    Locale, Field(description="Language and region of the labels (de-DE, de-AT, en-GB, ...)")
]
ExplainFlag = Annotated[
    bool, Field(description="Add to each option the steps that led to its dates")
]


def postal_code_schema(schema: dict[str, Any]) -> None:
    """State the per-country postal code shapes in the JSON schema (if country, then pattern)."""
    schema["allOf"] = [
        {
            "if": {"properties": {"country": {"const": country}}, "required": ["country"]},
            "then": {"properties": {"postal_code": {"pattern": f"^[0-9]{{{digits}}}$"}}},
        }
        for country, digits in POSTAL_CODE_DIGITS.items()
    ]


def check_postal_code_field(value: str, info: ValidationInfo) -> str:
    """Postal code against the country validated just before it (absent when that was bad).

    Runs after PostalCode's pattern: the value is 3–10 ASCII letters or digits, which is every
    other country's shape and leaves a country's only its length and digits to check (the
    regex it replaces cost nearly twice as much, on every quote and order)."""
    digits = POSTAL_CODE_DIGITS.get(info.data.get("country", ""))
    if digits is None or (len(value) == digits and value.isdigit()):
        return value
    raise PydanticCustomError(
        "postal_code", "Not a valid postal code for {country}", {"country": info.data["country"]}
    )


def check_amount_text(value: Any) -> Any:
    """Money travels as a decimal string; a JSON number would already have lost precision."""
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str) or not re.fullmatch(AMOUNT_PATTERN, value):
        raise PydanticCustomError("amount", "Input should be a decimal string like '4.90'")
    return Decimal(value)  # parsed here: strict validation takes no text for a Decimal


def check_instant(value: Any) -> Any:
    """Before parsing: ISO text with an offset, or an aware datetime (pydantic alone would also
    read numbers and digit strings as unix time)."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_INSTANT.fullmatch(value):
        raise PydanticCustomError("instant", NOT_AN_INSTANT)
    # parsed here: strict validation takes no text for a datetime after this validator
    return parse_instant_text(value)


def parse_instant_text(text: str) -> datetime:
    """Text already of ISO_INSTANT's shape, as the datetime it names."""
    # The standard library reads an offset's minutes up to 99 ("+12:60" as +13:00); an
    # offset, as a clock, has 00-59 (RFC 3339). The shape ends with "Z" or the offset's digits.
    try:
        if text[-1] != "Z" and text[-2] > "5":
            raise ValueError("offset minutes beyond 59")
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise PydanticCustomError("instant", "Input should be a valid calendar instant") from exc


def check_instant_range(value: datetime | None) -> datetime | None:
    # An offset moves an instant by less than a day, so a year strictly between the bounds'
    # is within them; comparing instants in two zones cost more than the rest of the body.
    if value is None or EARLIEST_AT.year < value.year < LATEST_AT.year:
        return value
    if not EARLIEST_AT <= value <= LATEST_AT:
        raise PydanticCustomError("instant_range", "Input should lie between 2000 and 2099")
    return value


def check_body_instant(value: Any) -> Any:
    """The body's instant as Python callers and lax JSON pass it (strict JSON: _BodyInstant):
    shape, parse and range in one call. A naive datetime, which only Python callers can pass
    (with no tzinfo, or one without an offset), is left to AwareDatetime to refuse."""
    value = check_instant(value)
    if value is not None and value.utcoffset() is not None:  # a tzinfo may still say naive
        check_instant_range(value)
    return value


def parse_body_instant_text(text: str) -> datetime:
    """Strict JSON's instant, its shape already checked by pydantic: parsed and range-checked
    in the one call into Python the instant costs (an offset is always there)."""
    value = parse_instant_text(text)
    check_instant_range(value)
    return value


class _BodyInstant:
    """The body's instant (`at`), read in pydantic's strict JSON mode without a Python regex.

    Every body the route reads is strict JSON: there the shape is pydantic's own pattern
    (ISO_INSTANT_PATTERN, the same as check_instant's) and Python is called once, to parse and
    range-check the text; a datetime instance cannot arrive in JSON. Everywhere else (Python
    callers, lax JSON) check_body_instant runs before AwareDatetime as before, so a datetime
    object keeps its zone and a naive one is refused by AwareDatetime. Each refusal is the same
    error as check_body_instant's, and the JSON schema is the lax one's: the OpenAPI document
    does not change. pydantic's own datetime parser is not used: it reads digit strings as unix
    time, and in strict mode it takes no text from a previous step.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        field = handler(source)
        checked = core_schema.no_info_before_validator_function(check_body_instant, field)
        shape = core_schema.custom_error_schema(
            core_schema.str_schema(pattern=f"^{ISO_INSTANT_PATTERN}$", strict=True),
            custom_error_type="instant",
            custom_error_message=NOT_AN_INSTANT,
        )
        # Serialised as the datetime it is, like the lax schema's value.
        parsed = core_schema.no_info_after_validator_function(
            parse_body_instant_text, shape, serialization=core_schema.simple_ser_schema("datetime")
        )
        text = core_schema.nullable_schema(parsed)
        return core_schema.lax_or_strict_schema(
            lax_schema=checked,
            strict_schema=core_schema.json_or_python_schema(
                json_schema=text, python_schema=checked
            ),
            metadata=field.get("metadata"),
        )


class _Model(ApiModel):
    model_config = ConfigDict(extra="forbid")


class Money(_Model):
    amount: Annotated[
        Decimal,
        BeforeValidator(check_amount_text),
        Field(ge=0, max_digits=12, decimal_places=2),
        # One schema for requests and responses (a string both ways), so OpenAPI has one Money.
        WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN}),
        Field(description="Decimal amount as a string", examples=["4.90"]),
    ]
    currency: Annotated[
        str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code", examples=["EUR"])
    ]


class Destination(_Model):
    model_config = ConfigDict(json_schema_extra=postal_code_schema)

    country: CountryCode
    postal_code: PostalCode

    _postal_code_fits = field_validator("postal_code")(check_postal_code_field)


class CartItem(_Model):
    sku: Sku
    quantity: Quantity


def closed_inventory_keys(schema: dict[str, Any]) -> None:
    """pydantic writes the SKU and location key patterns as patternProperties, which in JSON
    Schema let any other key through; the server refuses such keys, and the schema says so."""
    skus = schema["properties"]["inventory"]["anyOf"][0]
    skus["additionalProperties"] = False
    for locations in skus["patternProperties"].values():
        locations["additionalProperties"] = False


class QuoteRequest(_Model):
    """Body of POST /v1/promise/quote."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=closed_inventory_keys)

    destination: Annotated[Destination, Field(description="Where the parcel goes")]
    items: Annotated[
        list[CartItem],
        Field(min_length=1, max_length=100, description="The cart: 1–100 lines"),
    ]
    at: Annotated[Instant, _BodyInstant()] = None
    inventory: Annotated[
        dict[Sku, Annotated[dict[LocationId, OnHand], Field(max_length=MAX_LOCATIONS)]] | None,
        Field(
            max_length=100,
            description="Live stock per SKU and location (at most 100 SKUs, each with at most "
            f"{MAX_LOCATIONS} locations); replaces the configured stock of each SKU it names",
            examples=[{"TSHIRT-M": {"WH-LEIPZIG": 40, "STORE-BERLIN": 2}}],
        ),
    ] = None
    locale: LocaleField = "de-DE"
    subtotal: Annotated[
        Money | None,
        Field(description="Cart subtotal for free-shipping thresholds (default: catalogue prices)"),
    ] = None
    explain: ExplainFlag = False

    @classmethod
    def from_query(cls, params: Mapping[str, str] | None) -> QuoteRequest:
        """Build from GET query parameters; raises pydantic ValidationError naming the param."""
        return QuoteQuery.model_validate(dict(params or {})).to_request()


class QuoteQuery(_Model):
    """Query parameters of GET /v1/promise/quote (one SKU: a product page)."""

    country: CountryCode
    postal_code: PostalCode
    sku: Sku
    quantity: Annotated[Quantity, QueryInt] = 1
    at: Instant = None
    locale: LocaleField = "de-DE"
    explain: Annotated[ExplainFlag, QueryBool] = False

    _postal_code_fits = field_validator("postal_code")(check_postal_code_field)
    _instant_range = field_validator("at")(check_instant_range)

    @field_validator("at", mode="before")
    @classmethod
    def _instant_from_query(cls, value: Any) -> Any:
        # An unencoded "+" in a query string arrives as a space: "...16:30:00 01:00".
        if isinstance(value, str):
            value = QUERY_PLUS_OFFSET.sub(r"+\1", value)
        return check_instant(value)

    def to_request(self) -> QuoteRequest:
        # Every field has passed the same checks as the body's (postal code for the country,
        # bounds, instant range): validating them again cost half of reading the query.
        return QuoteRequest.model_construct(
            destination=Destination.model_construct(
                country=self.country, postal_code=self.postal_code
            ),
            items=[CartItem.model_construct(sku=self.sku, quantity=self.quantity)],
            at=self.at,
            locale=self.locale,
            explain=self.explain,
        )


class DeliveryWindow(_Model):
    earliest: Annotated[date, Field(description="First possible delivery date")]
    latest: Annotated[date, Field(description="Last promised delivery date")]


class ExplainStep(_Model):
    step: Annotated[StepKind, Field(description="Kind of step")]
    detail: Annotated[str, Field(description="What happened, for people")]
    date: Annotated[dt.date | None, Field(description="The day the step is about")] = None
    at: Annotated[datetime | None, Field(description="The instant the step is about")] = None
    location: Annotated[str | None, Field(description="Warehouse or store of the step")] = None
    reason: Annotated[
        str | None,
        Field(
            description="Why a day was skipped: weekend, closure, no_service_day or "
            "public_holiday:<name>; for the calendar step, which holidays delivery days skip: "
            "holidays:<country>-<subdivision>, or holidays:<country> for an unknown postal code"
        ),
    ] = None


class QuoteOption(_Model):
    method: Annotated[str, Field(description="same_day, next_day, standard or economy")]
    label: Annotated[str, Field(description="Localized name of the option")]
    carrier: Annotated[str, Field(description="Carrier code", examples=["dhl"])]
    service: Annotated[str, Field(description="Carrier service", examples=["paket"])]
    price: Annotated[Money, Field(description="Shipping price")]
    delivery: Annotated[DeliveryWindow, Field(description="Promised delivery dates")]
    order_by: Annotated[
        datetime,
        Field(description="Last instant at which this promise holds (the next cut-off)"),
    ]
    ships_from: Annotated[list[str], Field(description="Locations the parcels leave from")]
    parcels: Annotated[int, Field(ge=1, description="Number of parcels")]
    promise_token: Annotated[
        str | None,
        Field(
            description="Signed promise to send when registering the order; absent when the "
            "quote is for another instant than the present (see tokens_withheld)"
        ),
    ] = None
    explain: Annotated[
        list[ExplainStep] | None, Field(description="Steps behind the dates (explain=true)")
    ] = None


class UnavailableMethod(_Model):
    method: Annotated[str, Field(description="Method that cannot be offered")]
    reason: Annotated[UnavailableReason, Field(description="Why it cannot be offered")]


class TokensWithheld(_Model):
    reason: Annotated[
        Literal["quoted_for_another_instant"],
        Field(description="Why the options carry no promise_token"),
    ]
    detail: Annotated[str, Field(description="The same, for people")]


class QuoteResponse(_Model):
    quoted_at: Annotated[datetime, Field(description="The instant quoted for, with its offset")]
    options: Annotated[
        list[QuoteOption], Field(description="By earliest delivery date, then price")
    ]
    unavailable: Annotated[
        list[UnavailableMethod], Field(description="Methods not offered, with the reason")
    ]
    tokens_withheld: Annotated[
        TokensWithheld | None,
        Field(
            description="Present when the options carry no promise_token: tokens are signed "
            "only for a quote whose at lies within 5 minutes of the server's clock"
        ),
    ] = None
