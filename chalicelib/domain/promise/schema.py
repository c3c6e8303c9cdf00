"""Rule and catalogue documents: validated field by field, then built into the typed rule model.

The same shapes arrive from the packaged TOML files and from an override document (AppConfig/SSM
JSON), so every value is a plain string, number, boolean, list or table. Any problem raises
RuleConfigError naming the document and the dotted path of the bad field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from chalicelib.domain.promise import holiday_classes


def _has_holidays(value: str) -> str:
    if not holiday_classes.supported(value):
        raise ValueError(f"no public holiday calendar for country {value!r}")
    return value


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]

# Every country in the rules needs a holiday calendar: locations close on them, carriers skip them.
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$"), AfterValidator(_has_holidays)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[str, Field(pattern=r"^\d{1,9}\.\d{2}$")]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
CutoffKey = Annotated[str, Field(pattern=r"^[a-z0-9_-]+(/[a-z0-9_-]+)?$")]
LabelKey = Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
PostalRangeText = Annotated[str, Field(pattern=r"^[A-Z0-9]{3,10}-[A-Z0-9]{3,10}$")]
M = TypeVar("M", bound=BaseModel)


class RuleConfigError(ValueError):
    """A rule or catalogue document is invalid: names the document and the field."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        super().__init__(f"{source}: {field}: {problem}")
        self.source = source
        self.field = field
        self.problem = problem


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LocationDoc(_Document):
    kind: Literal["warehouse", "store"]
    time_zone: str
    country: Country
    subdivision: str | None = None
    handling_weekdays: Annotated[list[Weekday], Field(min_length=1)]
    closed_every_year: list[MonthDay] = []
    closed_on: list[IsoDate] = []
    cutoffs: Annotated[dict[CutoffKey, ClockTime], Field(min_length=1)]

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("subdivision")
    @classmethod
    def _known_subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")  # absent when the country itself was bad
        if value is None or country is None:
            return value
        if value not in holiday_classes.subdivisions(country):
            raise ValueError(f"{country} has no subdivision {value!r}")
        return value

    @field_validator("closed_every_year")
    @classmethod
    def _real_month_days(cls, values: list[str]) -> list[str]:
        for value in values:
            month_day(value)
        return values

    @field_validator("closed_on")
    @classmethod
    def _real_dates(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise ValueError(f"not a calendar date: {value!r}") from exc
        return values


class TransitDoc(_Document):
    min: Annotated[int, Field(ge=0, le=60)]
    max: Annotated[int, Field(ge=0, le=60)]


class ZoneDoc(_Document):
    country: Country
    postal_codes: list[PostalRangeText] = []  # "10000-14199"; empty: the whole country

    @field_validator("postal_codes")
    @classmethod
    def _ordered_ranges(cls, values: list[str]) -> list[str]:
        for value in values:
            low, high = value.split("-")
            if len(low) != len(high) or low > high:
                raise ValueError(f"range {value!r} needs two codes of one length, low first")
        return values


class PriceDoc(_Document):
    amount: Amount
    free_from: Amount | None = None  # cart subtotal from which shipping is free


class MethodDoc(_Document):
    key: Id
    method: Id
    carrier: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
    service: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
    ships_from: Annotated[list[Id], Field(min_length=1)]
    transit_days: TransitDoc
    delivery_weekdays: Annotated[list[Weekday], Field(min_length=1)]
    zone: ZoneDoc
    price: PriceDoc
    same_day: bool = False
    # Share of a lane's delivered parcels its learned window must cover (see domain/accuracy).
    learned_share: Annotated[float, Field(gt=0.5, le=1.0)] = 0.95
    labels: Annotated[dict[LabelKey, Annotated[str, Field(min_length=1)]], Field(min_length=1)]


class RulesDoc(_Document):
    version: Annotated[str, Field(min_length=1)]
    currency: Currency
    default_language: Annotated[str, Field(pattern=r"^[a-z]{2}$")]
    locations: Annotated[dict[Id, LocationDoc], Field(min_length=1)]
    methods: Annotated[list[MethodDoc], Field(min_length=1)]


class CatalogueItemDoc(_Document):
    name: Annotated[str, Field(min_length=1)]
    price: Amount
    in_store: bool = False


class CatalogueDoc(_Document):
    version: Annotated[str, Field(min_length=1)]
    currency: Currency
    default_quantity: Annotated[int, Field(ge=0)]
    skus: dict[Id, CatalogueItemDoc]


def parse_document(model: type[M], raw: Mapping[str, Any], source: str) -> M:
    """Validate `raw` against `model`; the first bad field becomes a RuleConfigError."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "(document)"
        problem = re.sub(r"^Value error, ", "", first["msg"])
        raise RuleConfigError(source, field, problem) from exc


def month_day(value: str) -> tuple[int, int]:
    """(month, day) of an "MM-DD" text; 2024 is a leap year, so 02-29 is accepted."""
    month, day = (int(part) for part in value.split("-"))
    try:
        date(2024, month, day)
    except ValueError as exc:
        raise ValueError(f"not a day of the year: {value!r}") from exc
    return month, day
