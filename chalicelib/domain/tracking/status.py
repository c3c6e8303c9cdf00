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
    """Why an item of a sender's batch changed nothing (reported per reason, never an error).

    A sender cannot fix any of these by sending again: refusing the webhook would only make it
    retry, and in the end switch the endpoint off, losing the good events with the bad.
    """

    # Reading the sender's payload (the adapters).
    NO_PARCEL_INFORMATION = "no_parcel_information"  # e.g. EasyPost unknown, AfterShip Pending
    UNKNOWN_STATUS = "unknown_status"  # a status code missing from our table
    NO_TIMESTAMP = "no_timestamp"  # no instant with a UTC offset
    TOO_MANY_EVENTS = "too_many_events"  # an aggregator's oldest checkpoints beyond the 100 read
    # Matching the event to a parcel on record (the order and return services).
    UNKNOWN_TRACKING_NUMBER = "unknown_tracking_number"  # no parcel here has this number
    CARRIER_MISMATCH = "carrier_mismatch"  # the parcel with this number ships with another carrier
    BEFORE_ORDER = "before_order"  # dated before the order (of the parcel or return) was placed
    IN_FUTURE = "in_future"  # dated more than a day after the server's clock
    ESTIMATE_OUT_OF_RANGE = "estimate_out_of_range"  # an estimated delivery far from the present


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
