"""Reading JSON bodies: one parser, one answer for a body that is not JSON.

pydantic's parser (jiter) reads every body: it stops at 200 levels of nesting with an error,
where `json.loads` runs out of stack and raises RecursionError (a 500 at the edge).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator, from_json

from chalicelib.domain.errors import InvalidInput, MalformedJson

M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 200  # jiter's recursion limit, documented in docs/api.md


def require_body(raw_body: bytes) -> None:
    if not raw_body.strip():
        raise InvalidInput("Body is required", [{"loc": ["body"], "msg": "Field required"}])


def read_json(raw_body: bytes) -> Any:
    """The body as plain JSON values; MalformedJson when it is not UTF-8 JSON or nests deeper
    than MAX_DEPTH."""
    require_body(raw_body)
    try:
        return from_json(raw_body)
    except ValueError as exc:
        raise MalformedJson(f"Body is not valid JSON: {exc}") from exc


def validate_json(model: type[M], raw_body: bytes) -> M:
    """The body as `model`, in strict JSON mode: JSON types are taken as they are (`true` is no
    number, `0` no date, `"yes"` no boolean). MalformedJson when the body is not JSON at all;
    pydantic's ValidationError when it is JSON that breaks the schema."""
    require_body(raw_body)
    validator = model.__pydantic_validator__
    try:
        if isinstance(validator, SchemaValidator):
            # The model's own validator, without model_validate_json's Python layer: a tenth
            # of reading a quote's body. Before a model's first use it is a stand-in that
            # builds it (api models build on first use), which model_validate_json handles.
            return validator.validate_json(raw_body, strict=True)
        return model.model_validate_json(raw_body, strict=True)
    except ValidationError as exc:
        malformed = [e for e in exc.errors(include_url=False) if e["type"] == "json_invalid"]
        if malformed:
            raise MalformedJson(f"Body is not valid JSON: {malformed[0]['ctx']['error']}") from exc
        raise
