"""Plain values ⇄ DynamoDB attribute values, with boto3's own (de)serialiser.

boto3.dynamodb imports the whole of boto3; loaded on first use, it stays out of the cold start of
routes that never touch the table (the quote).
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _codecs() -> tuple[Any, Any]:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def to_attributes(item: dict[str, Any]) -> dict[str, Any]:
    serializer = _codecs()[0]
    return {k: serializer.serialize(v) for k, v in item.items()}


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    deserializer = _codecs()[1]
    return {k: deserializer.deserialize(v) for k, v in item.items()}


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the codecs want ints and strings."""
    import json

    return json.loads(json.dumps(value, default=lambda d: int(d)))
