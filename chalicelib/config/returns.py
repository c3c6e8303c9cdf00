"""The return policy (returns.toml): loaded and validated once per container."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.config.loader import CONFIG_DIR
from chalicelib.domain.promise.schema import RuleConfigError
from chalicelib.domain.returns import ReturnPolicy

RETURNS_FILE = "returns.toml"


class ReturnPolicyDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    window_days: Annotated[int, Field(ge=0, le=365)]
    non_returnable: list[Annotated[str, Field(min_length=1)]] = []


def parse_return_policy(document: dict[str, object], source: str = RETURNS_FILE) -> ReturnPolicy:
    try:
        doc = ReturnPolicyDoc.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        path = ".".join(str(part) for part in first["loc"]) or "(document)"
        raise RuleConfigError(source, path, first["msg"]) from exc
    return ReturnPolicy(window_days=doc.window_days, non_returnable=frozenset(doc.non_returnable))


@cache
def load_return_policy() -> ReturnPolicy:
    try:
        with (CONFIG_DIR / RETURNS_FILE).open("rb") as file:
            document = tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        raise RuleConfigError(RETURNS_FILE, "(syntax)", str(exc)) from exc
    return parse_return_policy(document)
