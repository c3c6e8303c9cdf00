"""Canonical parcel statuses and how a sender's (status, sub-status) pair resolves onto them.

The canonical enum is the one the order domain already uses (``ParcelStatus``): one source of
truth, so a parsed event needs no conversion before it reaches a shipment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.parcel_status import TERMINAL, ParcelStatus

__all__ = ["ParcelStatus", "SkipReason", "StatusMap"]


class SkipReason(StrEnum):
    """Why an item of a sender's batch produced no event (reported, never an error)."""

    NO_PARCEL_INFORMATION = "no_parcel_information"  # e.g. EasyPost unknown, AfterShip Pending
    UNKNOWN_STATUS = "unknown_status"  # a status code missing from our table
    NO_TIMESTAMP = "no_timestamp"  # no instant with a UTC offset


@dataclass(frozen=True)
class StatusMap:
    """One sender's tables.

    ``statuses`` maps every main status; ``None`` means the status carries no parcel information.
    ``details`` maps sub-statuses; ``None`` means "no more specific than its main status". A
    sub-status we do not know yet also falls back to its main status, so a sender adding codes
    degrades gracefully instead of dropping events.
    """

    statuses: Mapping[str, ParcelStatus | None]
    details: Mapping[str, ParcelStatus | None]

    def resolve(self, status: str, detail: str | None) -> ParcelStatus | SkipReason:
        if status not in self.statuses:
            return SkipReason.UNKNOWN_STATUS
        parent = self.statuses[status]
        if parent is None:
            return SkipReason.NO_PARCEL_INFORMATION
        if parent in TERMINAL:
            # A delivered or returned parcel stays so, whatever detail accompanies the scan.
            return parent
        specific = self.details.get(detail) if detail else None
        return specific or parent
