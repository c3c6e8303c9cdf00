"""Only the order's first delivered parcel schedules the rating reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.feedback.reminders import reminder_due_at
from chalicelib.domain.orders import ShipmentState
from chalicelib.domain.parcel_status import ParcelStatus

AT = datetime(2026, 12, 23, 11, tzinfo=UTC)


def parcel(shipment_id: str, delivered_at: datetime | None = None) -> ShipmentState:
    if delivered_at is None:
        return ShipmentState(shipment_id, "dhl", f"T{shipment_id}", status=ParcelStatus.IN_TRANSIT)
    return ShipmentState(
        shipment_id,
        "dhl",
        f"T{shipment_id}",
        status=ParcelStatus.DELIVERED,
        last_event_id="e",
        last_event_at=delivered_at,
    )


def test_the_first_delivery_schedules_the_reminder_three_days_later() -> None:
    before = [parcel("S1"), parcel("S2")]
    after = [parcel("S1", AT), parcel("S2")]

    assert reminder_due_at(before, after) == AT + timedelta(days=3)


def test_a_second_parcel_or_no_delivery_schedules_nothing() -> None:
    first = [parcel("S1", AT), parcel("S2")]
    both = [parcel("S1", AT), parcel("S2", AT + timedelta(days=1))]

    assert reminder_due_at(first, both) is None
    assert reminder_due_at([parcel("S1")], [parcel("S1")]) is None
