"""Return records and orders as the returns domain sees them, with overridable fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.returns import (
    HistoryEntry,
    Resolution,
    ReturnLine,
    ReturnRecord,
    ReturnStatus,
)

REQUESTED_AT = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


def a_return(status: ReturnStatus = ReturnStatus.REQUESTED, **overrides: Any) -> ReturnRecord:
    record = ReturnRecord(
        return_id="R1",
        order_id="1001",
        status=ReturnStatus.REQUESTED,
        items=(ReturnLine("TSHIRT-M", 1, "too_small"),),
        resolution=Resolution("refund"),
        requested_at=REQUESTED_AT,
        history=(HistoryEntry(ReturnStatus.REQUESTED, REQUESTED_AT, "request"),),
    )
    return replace(record, status=status, **overrides)
