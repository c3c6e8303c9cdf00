"""RFC 9457 problem details: the one error shape of the public API."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chalicelib.models.base import ApiModel


class FieldError(ApiModel):
    loc: Annotated[list[str | int], Field(description="Path to the offending field")]
    msg: Annotated[str, Field(description="What is wrong with it")]


class Problem(ApiModel):
    type: Annotated[str, Field(description="URI reference naming the problem type")]
    title: Annotated[str, Field(description="Short, stable summary of the problem type")]
    status: Annotated[int, Field(description="HTTP status code")]
    detail: Annotated[str, Field(description="Explanation specific to this occurrence")]
    code: Annotated[str, Field(description="Stable machine-readable problem name")]
    errors: Annotated[
        list[FieldError] | None, Field(description="Per-field errors (validation problems)")
    ] = None
    request_id: Annotated[str | None, Field(description="Request id for support and logs")] = None
