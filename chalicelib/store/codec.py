"""Explicit mapping between the order domain's values and stored attributes (plain JSON types)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib.domain.orders import (
    CarrierEstimate,
    OrderLine,
    OrderState,
    PromiseWindow,
    ShipmentEvent,
    ShipmentLine,
    ShipmentState,
)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def order_to_item(order: OrderState) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "items": [{"sku": i.sku, "quantity": i.quantity} for i in order.items],
        "window": {
            "earliest": order.window.earliest.isoformat(),
            "latest": order.window.latest.isoformat(),
        },
        "destination_zone": order.destination_zone,
        "status": str(order.status),
        "promise_state": str(order.promise_state),
        "check_due_at": _iso(order.check_due_at),
        "version": order.version,
    }


def order_from_item(item: dict[str, Any]) -> OrderState:
    return OrderState(
        order_id=item["order_id"],
        items=tuple(OrderLine(i["sku"], int(i["quantity"])) for i in item["items"]),
        window=PromiseWindow(
            date.fromisoformat(item["window"]["earliest"]),
            date.fromisoformat(item["window"]["latest"]),
        ),
        destination_zone=item["destination_zone"],
        status=item["status"],
        promise_state=item["promise_state"],
        check_due_at=_instant(item.get("check_due_at")),
        version=int(item["version"]),
    )


def shipment_to_item(shipment: ShipmentState) -> dict[str, Any]:
    estimate = shipment.carrier_estimate
    return {
        "shipment_id": shipment.shipment_id,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "items": [{"sku": i.sku, "quantity": i.quantity} for i in shipment.items],
        "status": str(shipment.status) if shipment.status else None,
        "last_event_id": shipment.last_event_id,
        "last_event_at": _iso(shipment.last_event_at),
        "carrier_estimate": {
            "delivery": estimate.delivery.isoformat(),
            "occurred_at": estimate.occurred_at.isoformat(),
            "event_id": estimate.event_id,
        }
        if estimate
        else None,
        "event_ids": sorted(shipment.event_ids),
        "version": shipment.version,
    }


def shipment_from_item(item: dict[str, Any]) -> ShipmentState:
    estimate = item.get("carrier_estimate")
    return ShipmentState(
        shipment_id=item["shipment_id"],
        carrier=item["carrier"],
        tracking_number=item["tracking_number"],
        items=tuple(ShipmentLine(i["sku"], int(i["quantity"])) for i in item["items"]),
        status=item.get("status"),
        last_event_id=item.get("last_event_id"),
        last_event_at=_instant(item.get("last_event_at")),
        carrier_estimate=CarrierEstimate(
            date.fromisoformat(estimate["delivery"]),
            datetime.fromisoformat(estimate["occurred_at"]),
            estimate["event_id"],
        )
        if estimate
        else None,
        event_ids=frozenset(item.get("event_ids", [])),
        version=int(item["version"]),
    )


def event_to_item(event: ShipmentEvent, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "status": str(event.status),
        "occurred_at": event.occurred_at.isoformat(),
        "estimated_delivery": _iso(event.estimated_delivery),
        "carrier_status": event.carrier_status,
        "location": event.location,
        "description": event.description,
        **extra,
    }


def event_from_item(item: dict[str, Any]) -> ShipmentEvent:
    return ShipmentEvent(
        event_id=item["event_id"],
        status=item["status"],
        occurred_at=datetime.fromisoformat(item["occurred_at"]),
        estimated_delivery=_day(item.get("estimated_delivery")),
        carrier_status=item.get("carrier_status"),
        location=item.get("location"),
        description=item.get("description"),
    )
