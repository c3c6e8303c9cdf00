"""Reading a sender's body: JSON, schema validation with pydantic-style errors, and the few
value formats (instants, calendar days, locations) the senders share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.json_input import validate_json as strict_json

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: object, what: str) -> M:
    """Validate ``data`` as ``model``; a mismatch means the body is not ``what``'s format."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _not_the_format(exc, what) from exc


def validate_json(model: type[M], raw_body: bytes, what: str) -> M:
    """Validate the raw body as ``model`` in strict JSON mode, for our own format: `true` is no
    number and `0` no instant (pydantic's lax mode reads numbers as unix time)."""
    try:
        return strict_json(model, raw_body)
    except ValidationError as exc:
        raise _not_the_format(exc, what) from exc


def _not_the_format(exc: ValidationError, what: str) -> InvalidInput:
    # Only loc and msg: pydantic's "input" would echo the sender's data (possibly personal).
    errors: list[dict[str, object]] = [
        {"loc": list(error["loc"]), "msg": error["msg"]} for error in exc.errors(include_url=False)
    ]
    return InvalidInput(f"Body is not a {what} webhook", errors)


def parse_instant(text: str | None) -> datetime | None:
    """An ISO 8601 instant with a UTC offset ("Z" included); anything else is no instant.

    A local time without offset cannot be placed on the timeline, so it is not guessed.
    """
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
        # An instant that cannot be placed in UTC (year 1 east of Greenwich, 9999 west of it)
        # is no instant either: every later step converts to UTC.
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment if moment.utcoffset() is not None else None


def parse_day(text: str | None) -> date | None:
    """The calendar day as the sender wrote it ("2026-12-24" or "2026-12-24T00:00:00Z").

    Not converted to another zone: senders put a delivery *day* into a datetime field.
    """
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def join_location(*parts: str | None) -> str | None:
    present = [part.strip() for part in parts if part and part.strip()]
    return ", ".join(present) or None
