"""When to remind a customer who has not rated: three days after the order's first delivery."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from chalicelib.domain.orders import ShipmentState

REMINDER_AFTER = timedelta(days=3)


def reminder_due_at(
    before: Sequence[ShipmentState], after: Sequence[ShipmentState]
) -> datetime | None:
    """The reminder's time when this change delivered the order's first parcel; else None.

    Only the first delivery schedules it, so a second parcel never moves or repeats it.
    """
    if any(s.delivered_at is not None for s in before):
        return None
    arrived = [s.delivered_at for s in after if s.delivered_at is not None]
    return min(arrived) + REMINDER_AFTER if arrived else None
