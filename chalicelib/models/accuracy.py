"""Promise accuracy report: query and answer (they also write the OpenAPI document)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_RANGE_DAYS = 366


class AccuracyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Annotated[date, Field(alias="from", description="First delivery day (inclusive)")]
    to: Annotated[date, Field(description="Last delivery day (inclusive)")]
    carrier: Annotated[
        str | None, Field(pattern=r"^[a-z0-9_-]{1,40}$", description="Only this carrier")
    ] = None
    method: Annotated[
        str | None, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Only this method")
    ] = None

    @model_validator(mode="after")
    def _range(self) -> AccuracyQuery:
        if self.to < self.from_:
            raise ValueError("to must not be before from")
        if (self.to - self.from_).days >= MAX_RANGE_DAYS:
            raise ValueError(f"a report covers at most {MAX_RANGE_DAYS} days")
        return self


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LateShares(_Out):
    one: Annotated[float, Field(alias="1", description="Share delivered 1 day late")]
    two: Annotated[float, Field(alias="2", description="Share delivered 2 days late")]
    three_plus: Annotated[float, Field(alias="3+", description="Share 3 or more days late")]


class LaneWindow(_Out):
    source: Annotated[
        Literal["learned", "rule"], Field(description="Where the lane's quoted window comes from")
    ]
    earliest_days: Annotated[int | None, Field(description="Learned first transit day")] = None
    latest_days: Annotated[int | None, Field(description="Learned last transit day")] = None
    parcels: Annotated[int | None, Field(description="Parcels the window was learned from")] = None


class LaneAccuracy(_Out):
    carrier: str
    service: str
    origin: Annotated[str, Field(description="Location the parcels left from")]
    destination: Annotated[str, Field(description="Postal region, e.g. DE-10")]
    delivered: int
    within_window: Annotated[float, Field(description="Share delivered within the window")]
    window: LaneWindow


class AccuracyReport(_Out):
    delivered: Annotated[int, Field(description="Parcels delivered in the range")]
    within_window: Annotated[float, Field(description="Share delivered within the promise")]
    early: Annotated[float, Field(description="Share delivered before the promised window")]
    late: LateShares
    mean_window_days: Annotated[float, Field(description="Mean promised window, delivery days")]
    lanes: list[LaneAccuracy]
