"""The canonical parcel status every carrier or aggregator status maps onto."""

from __future__ import annotations

from enum import StrEnum

from chalicelib.domain.errors import InvalidInput


class ParcelStatus(StrEnum):
    # The values are the wire contract (docs/api.md, "Carrier webhooks"); never rename them.
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    FAILED_ATTEMPT = "failed_attempt"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"


TERMINAL: frozenset[ParcelStatus] = frozenset(
    {ParcelStatus.DELIVERED, ParcelStatus.RETURNED_TO_SENDER}
)

# The carrier has the parcel: every status but the electronic pre-advice.
LEFT_WAREHOUSE: frozenset[ParcelStatus] = frozenset(ParcelStatus) - {ParcelStatus.INFO_RECEIVED}

TROUBLE: frozenset[ParcelStatus] = frozenset(
    {ParcelStatus.FAILED_ATTEMPT, ParcelStatus.EXCEPTION, ParcelStatus.RETURNED_TO_SENDER}
)

# Breaks ties between events with the same occurred_at, so the outcome never depends on arrival
# order. Terminal statuses rank highest: a terminal status is only left by a strictly later event.
_RANK: dict[ParcelStatus, int] = {
    ParcelStatus.INFO_RECEIVED: 0,
    ParcelStatus.IN_TRANSIT: 1,
    ParcelStatus.EXCEPTION: 2,
    ParcelStatus.FAILED_ATTEMPT: 3,
    ParcelStatus.OUT_FOR_DELIVERY: 4,
    ParcelStatus.AVAILABLE_FOR_PICKUP: 5,
    ParcelStatus.RETURNED_TO_SENDER: 6,
    ParcelStatus.DELIVERED: 7,
}


def rank(status: ParcelStatus) -> int:
    """Tie-break rank of a status among events that happened at the same instant."""
    return _RANK[status]


def parse_status(value: str) -> ParcelStatus:
    """The canonical status named by ``value`` (a plain string or another enum of the same values).

    Normalising here lets ``is`` comparisons hold whatever the caller loaded or parsed.
    """
    try:
        return ParcelStatus(value)
    except ValueError as exc:
        raise InvalidInput(f"unknown parcel status {value!r}") from exc
