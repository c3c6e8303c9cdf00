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

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from chalicelib.domain.date_range import DESCRIPTION, accepted_range
from chalicelib.domain.time_zones import is_time_zone

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
TimeZoneName = Annotated[
    str,
    Field(max_length=64, pattern=r"^[A-Za-z0-9_+/-]{1,64}$", examples=["Europe/Berlin"]),
    AfterValidator(check_time_zone),
]
WholeNumber = BeforeValidator(whole_number)
QueryInt = BeforeValidator(query_int)
QueryBool = BeforeValidator(query_bool)
