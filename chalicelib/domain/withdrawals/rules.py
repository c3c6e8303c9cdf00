"""The withdrawal function's rules: matching, the statutory period, duplicates, the daily limit,
retention, and the return a withdrawal becomes. Pure functions, no AWS.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import ReturnNotAllowed
from chalicelib.domain.returns.values import ReturnLine
from chalicelib.domain.withdrawals.values import Declaration, Period

DEFAULT_PERIOD_DAYS = 14  # Art. 9 of Directive 2011/83/EU; § 355 (2) BGB
DEFAULT_RETENTION_DAYS = 3 * 365 + 1  # the regular limitation period (§ 195 BGB), and a day
DEFAULT_DAILY_ACKNOWLEDGEMENTS = 5
# The same declaration sent again within this time is the same declaration (a double click, a
# reloaded confirmation, a storefront's retry without an Idempotency-Key).
DUPLICATE_WINDOW = timedelta(hours=1)


def normal_email(address: str) -> str:
    """The address as compared: case and surrounding spaces ignored."""
    return address.strip().casefold()


def matches(declared_email: str, order_email: str | None) -> bool:
    return order_email is not None and normal_email(declared_email) == normal_email(order_email)


def address_key(address: str) -> str:
    """The address as the daily limit counts it: a digest, so no item's key holds the address."""
    return hashlib.sha256(normal_email(address).encode()).hexdigest()


def fingerprint(declaration: Declaration) -> str:
    """What makes two declarations the same one: name (spacing and case ignored), order number,
    address and items; not the language the page was read in."""
    items: dict[str, int] = {}
    for item in declaration.items:
        items[item.sku] = items.get(item.sku, 0) + item.quantity
    canonical = json.dumps(
        {
            "name": " ".join(declaration.name.split()).casefold(),
            "order_id": declaration.order_id,
            "email": normal_email(declaration.email),
            "items": sorted(items.items()),
        },
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def period(
    delivered_at: Sequence[datetime | None], received_at: datetime, days: int, zone: ZoneInfo
) -> Period:
    """The period runs from the delivery of the order's last parcel (one entry per parcel, None
    while it is on its way) and ends with the ``days``-th day after it, in the order's zone."""
    if not delivered_at or any(d is None for d in delivered_at):
        return Period("not_delivered", days)
    last = max(d for d in delivered_at if d is not None)
    ends_on = last.astimezone(zone).date() + timedelta(days=days)
    received_on = received_at.astimezone(zone).date()
    return Period("within" if received_on <= ends_on else "expired", days, last, ends_on)


def retain_until(received_at: datetime, days: int) -> datetime:
    return received_at + timedelta(days=days)


def acknowledgement_day(received_at: datetime) -> date:
    """The day (UTC) an acknowledgement counts against its address's daily limit."""
    return received_at.astimezone(ZoneInfo("UTC")).date()


def return_lines(
    chosen: Sequence[tuple[str, int]],
    ordered: Mapping[str, int],
    returned: Mapping[str, int],
) -> tuple[ReturnLine, ...]:
    """The lines of the return a withdrawal opens: the chosen items (the whole order when none
    were chosen) as far as they are in the order and not yet on their way back. Not limited by
    the shop's return window: the statutory right does not depend on it.
    """
    wanted: dict[str, int] = {}
    for sku, quantity in chosen or tuple(ordered.items()):
        wanted[sku] = wanted.get(sku, 0) + quantity
    lines = []
    for sku, quantity in wanted.items():
        left = ordered.get(sku, 0) - returned.get(sku, 0)
        if left > 0:
            lines.append(ReturnLine(sku, min(quantity, left), "withdrawal"))
    if not lines:
        raise ReturnNotAllowed(
            "nothing this withdrawal names is left to return",
            [{"loc": ["withdrawal", "items"], "msg": "every item is already being returned"}],
        )
    return tuple(lines)
