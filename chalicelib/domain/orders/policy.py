"""Thresholds of the promise state: when carrier silence or a status puts a promise at risk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.parcel_status import ParcelStatus

# How long a parcel in this status may go without a new carrier event before the promise is at
# risk. Statuses not listed never go stale (e.g. available_for_pickup waits on the customer).
DEFAULT_SILENCE: tuple[tuple[ParcelStatus, timedelta], ...] = (
    (ParcelStatus.INFO_RECEIVED, timedelta(hours=72)),
    (ParcelStatus.IN_TRANSIT, timedelta(hours=48)),
    (ParcelStatus.OUT_FOR_DELIVERY, timedelta(hours=24)),
)

DEFAULT_RISKY: frozenset[ParcelStatus] = frozenset(
    {ParcelStatus.FAILED_ATTEMPT, ParcelStatus.EXCEPTION, ParcelStatus.RETURNED_TO_SENDER}
)


@dataclass(frozen=True)
class PromisePolicy:
    # Pairs rather than a dict so the policy stays immutable and hashable.
    silence: tuple[tuple[ParcelStatus, timedelta], ...] = DEFAULT_SILENCE
    risky_statuses: frozenset[ParcelStatus] = DEFAULT_RISKY

    def silence_limit(self, status: ParcelStatus | None) -> timedelta | None:
        for listed, limit in self.silence:
            if listed is status:
                return limit
        return None


DEFAULT_POLICY = PromisePolicy()
