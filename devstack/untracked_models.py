"""moto's models, not kept forever for its dashboard.

moto (5.2, `moto.core.common_models.BaseModel.__new__`) appends every model instance it ever
creates to a class-level list that only its web dashboard reads (`/moto-api/data.json`): every
version of every DynamoDB item written, every stream record, shard iterator, queue message and
e-mail stays alive for the life of the process, whatever the backend itself still holds. That
list, not the tables, is what made `make run` grow by about 1 MB per order. The embedded AWS
creates models without tracking them; nothing here reads the dashboard. Drop this module once
moto stops tracking instances by default.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import BaseModel
from moto.core.model_instances import reset_model_data


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def install() -> None:
    """Stop tracking new model instances and let go of those tracked so far."""
    BaseModel.__new__ = staticmethod(_untracked_new)  # type: ignore[method-assign]
    reset_model_data()
