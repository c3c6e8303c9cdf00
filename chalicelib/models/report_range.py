"""The days a merchant's report covers (returns and feedback figures): one rule for every report.

A report reads one counter item per day, so its cost grows with the span; and a day far from today
is a typo or a hostile value, refused like every other date the API takes (domain/date_range.py).
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.date_range import DESCRIPTION
from chalicelib.models.types import BoundedDate

MAX_SPAN_DAYS = 366


class ReportRange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_: Annotated[
        BoundedDate,
        Field(alias="from", description=f"First day (UTC), inclusive; {DESCRIPTION}"),
    ]
    to: Annotated[
        BoundedDate,
        Field(
            description=f"Last day (UTC), inclusive, not before `from` and at most "
            f"{MAX_SPAN_DAYS} days after it; {DESCRIPTION}"
        ),
    ]

    @model_validator(mode="after")
    def _a_forward_range_of_at_most_a_year(self) -> Self:
        if self.to < self.from_:
            raise ValueError("to must not be before from")
        if (self.to - self.from_).days > MAX_SPAN_DAYS:
            raise ValueError(f"the range may span at most {MAX_SPAN_DAYS} days")
        return self
