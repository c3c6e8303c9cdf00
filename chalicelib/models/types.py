"""Validation types shared by the request models: bounded dates, IANA zones, query values.

Request bodies are validated in pydantic's strict JSON mode (api/http.py), so JSON types are
taken as they are. Query strings are text by nature; the types below read them without
pydantic's lax conversions (`1_0` as 10, `yes` as true). Regular expressions spell digits
`[0-9]`: in Python `\\d` also matches other scripts' digits.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
)
from pydantic_core import PydanticCustomError, core_schema

from chalicelib.domain.date_range import DESCRIPTION, accepted_range
from chalicelib.domain.time_zones import iana_zone_names, is_time_zone

QUERY_INT = re.compile(r"[0-9]{1,9}")
QUERY_BOOLS = {"true": True, "false": False}


def check_in_range(value: date) -> date:
    # Validation happens as the request arrives: the range is around the wall clock.
    accepted = accepted_range(datetime.now(UTC))
    if not accepted.holds(value):
        raise PydanticCustomError("date_range", accepted.message)
    return value


def check_time_zone(value: str) -> str:
    if not is_time_zone(value):
        raise PydanticCustomError(
            "time_zone", "Input should be an IANA time zone name such as Europe/Berlin"
        )
    return value


def query_int(value: Any) -> Any:
    """Text from a query string: ASCII digits only (no sign, `_`, spaces or other scripts)."""
    if isinstance(value, str):
        if not QUERY_INT.fullmatch(value):
            raise PydanticCustomError("int_parsing", "Input should be a whole number in digits")
        return int(value)
    return value


def query_bool(value: Any) -> Any:
    """Text from a query string: `true` or `false`, nothing else that pydantic would read."""
    if isinstance(value, str):
        if value not in QUERY_BOOLS:
            raise PydanticCustomError("bool_parsing", "Input should be true or false")
        return QUERY_BOOLS[value]
    return value


def whole_number(value: Any) -> Any:
    """JSON has one number type, and JSON Schema (the OpenAPI document) counts 2.0 as an
    integer: so does the server. 2.5, "2" and true stay refused by strict validation."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _whole_float(value: float) -> int:
    if value.is_integer():
        return int(value)
    raise PydanticCustomError("int_type", "Input should be a valid integer")


class _WholeNumber:
    """An integer that may arrive as a JSON number with no fraction (``whole_number``).

    Strict validation (every JSON body) takes an integer in pydantic's own code and calls
    Python only for a float: a quote with stock in two locations has nine of these, each a
    call into Python from the validator before. Any refusal of the type is the
    one ``int_type`` error strict validation gives, and the bounds are checked after it, so
    every answer stays as it was. Lax validation (forms, queries) keeps the validator, and the
    JSON schema is the lax one's: the bounded integer.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        bounded = handler(source)
        number = core_schema.union_schema(
            [
                core_schema.int_schema(strict=True),
                core_schema.no_info_after_validator_function(
                    _whole_float, core_schema.float_schema(strict=True)
                ),
            ],
            mode="left_to_right",
            custom_error_type="int_type",
        )
        return core_schema.lax_or_strict_schema(
            lax_schema=core_schema.no_info_before_validator_function(whole_number, bounded),
            strict_schema=core_schema.chain_schema([number, bounded]),
            metadata=bounded.get("metadata"),
        )


BoundedDate = Annotated[
    date,
    AfterValidator(check_in_range),
    Field(description=f"ISO 8601 date {DESCRIPTION}"),
]
BoundedInstant = Annotated[
    AwareDatetime,
    AfterValidator(check_in_range),
    Field(description=f"ISO 8601 instant with offset, {DESCRIPTION}"),
]


def _zone_names(schema: dict[str, Any]) -> None:
    """State in the document which names ``check_time_zone`` takes: the zone database's, read
    when the document is built (not at import)."""
    schema["enum"] = sorted(iana_zone_names())


TimeZoneName = Annotated[
    str,
    Field(
        max_length=64,
        pattern=r"^[A-Za-z0-9_+/-]{1,64}$",
        examples=["Europe/Berlin"],
        json_schema_extra=_zone_names,
    ),
    AfterValidator(check_time_zone),
]
WholeNumber = _WholeNumber()
QueryInt = BeforeValidator(query_int)
QueryBool = BeforeValidator(query_bool)


# No white space in an address part, as the server's regex engine and JSON Schema's (ECMA-262)
# both read it: `\s` alone is U+0085 to the one and U+FEFF to the other.
ADDRESS_PART = r"[^@\s\x85\uFEFF]"
