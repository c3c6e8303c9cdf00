"""The base of every public API model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A public API model whose validator is built on its first use, not on import.

    Every function imports `app`, and with it every model; most validate few of them (the
    queue, stream and schedule functions none), so building them all on import slowed every
    cold start. The OpenAPI document builds what it describes when it is first asked for.
    """

    model_config = ConfigDict(defer_build=True)
