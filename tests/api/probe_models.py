from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class ProbeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Annotated[int, Field(ge=1, le=10)]
    name: str = "Anna Schmidt"
    email: str = "anna@example.com"
    note: str = ""
