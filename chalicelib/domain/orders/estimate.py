"""A shipment's expected delivery date: the carrier's word first, else our own rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo

from chalicelib.domain.orders.shipment import ShipmentState
from chalicelib.domain.parcel_status import TERMINAL

# Injected by the caller (the promise engine's transit rules): last scan date → delivery date.
EstimateRule = Callable[[date], date | None]


def estimated_delivery(
    shipment: ShipmentState, zone: tzinfo, estimate_from_rules: EstimateRule | None = None
) -> date | None:
    """The carrier's newest estimate; otherwise the rules applied to the last scan date.

    ``zone`` is the one the rules count days in (the caller passes the destination's). A parcel
    in a terminal status gets no rule estimate: there is nothing left to predict.
    """
    if shipment.estimated_delivery is not None:
        return shipment.estimated_delivery
    if estimate_from_rules is None or shipment.status is None or shipment.status in TERMINAL:
        return None
    if shipment.last_scan_at is None:
        return None
    return estimate_from_rules(shipment.last_scan_at.astimezone(zone).date())
