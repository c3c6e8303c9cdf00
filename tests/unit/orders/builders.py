"""Small builders for order-domain tests: one Berlin shop, one promised window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.orders import (
    OrderLine,
    OrderState,
    ParcelStatus,
    PromiseWindow,
    ShipmentEvent,
    ShipmentLine,
    ShipmentState,
)

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 21 December 2026, 09:00 in Berlin; the promise is 23–24 December.
T0 = datetime(2026, 12, 21, 9, 0, tzinfo=BERLIN)
WINDOW = PromiseWindow(earliest=date(2026, 12, 23), latest=date(2026, 12, 24))


def at(hours: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


def event(
    event_id: str,
    status: ParcelStatus | str,
    occurred_at: datetime,
    estimated_delivery: date | None = None,
) -> ShipmentEvent:
    return ShipmentEvent(
        event_id=event_id,
        status=ParcelStatus(status),
        occurred_at=occurred_at,
        estimated_delivery=estimated_delivery,
    )


def shipment(shipment_id: str = "S1", **items: int) -> ShipmentState:
    lines = tuple(ShipmentLine(sku, quantity) for sku, quantity in (items or {"TSHIRT": 1}).items())
    return ShipmentState(
        shipment_id=shipment_id,
        carrier="dhl",
        tracking_number=f"TRK-{shipment_id}",
        items=lines,
    )


def order(window: PromiseWindow = WINDOW, **items: int) -> OrderState:
    lines = tuple(OrderLine(sku, quantity) for sku, quantity in (items or {"TSHIRT": 1}).items())
    return OrderState(order_id="1001", items=lines, window=window, destination_zone="Europe/Berlin")


@dataclass(frozen=True)
class Weekdays:
    """Transit rules for estimates: delivery Monday to Friday, the shortest transit
    ``transit_min`` days (an ``EstimateRule``)."""

    transit_min: int = 2

    def nth_after(self, day: date, n: int) -> date:
        if n == 0:
            return _weekday_from(day)
        for _ in range(n):
            day = _weekday_from(day + timedelta(days=1))
        return day


def _weekday_from(day: date) -> date:
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day
