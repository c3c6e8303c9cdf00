"""Explicit mapping between typed records and stored attributes (plain JSON types).

The only place that knows the attribute names inside the order, tracking and event items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from chalicelib.domain.channels import CustomerChannel
from chalicelib.domain.orders import (
    CarrierEstimate,
    OrderLine,
    OrderState,
    PromiseWindow,
    ShipmentEvent,
    ShipmentLine,
    ShipmentState,
)
from chalicelib.store.records import (
    CustomerRecord,
    DestinationRecord,
    ItemRecord,
    NotificationLogEntries,
    OrderRecord,
    PromiseRecord,
    SentNotification,
    SkippedNotification,
    StoredEvent,
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
        "handed_over_at": _iso(shipment.handed_over_at),
        "kept_events": shipment.kept_events,
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
        handed_over_at=_instant(item.get("handed_over_at")),
        # Items written before events were remembered apart hold "event_ids" instead: one
        # timeline item per id, so their number is the count. The list itself is not read (the
        # timeline answers for those events) and goes with the order's next write.
        kept_events=int(item.get("kept_events", len(item.get("event_ids", [])))),
    )


def event_to_item(stored: StoredEvent) -> dict[str, Any]:
    event = stored.event
    return {
        "shipment_id": stored.shipment_id,
        "event_id": event.event_id,
        "status": str(event.status),
        "occurred_at": event.occurred_at.isoformat(),
        "estimated_delivery": _iso(event.estimated_delivery),
        "carrier_status": event.carrier_status,
        "location": event.location,
        "description": event.description,
        "source": stored.source,
        "received_at": stored.received_at.isoformat(),
    }


def event_from_item(item: dict[str, Any]) -> StoredEvent:
    event = ShipmentEvent(
        event_id=item["event_id"],
        status=item["status"],
        occurred_at=datetime.fromisoformat(item["occurred_at"]),
        estimated_delivery=_day(item.get("estimated_delivery")),
        carrier_status=item.get("carrier_status"),
        location=item.get("location"),
        description=item.get("description"),
    )
    return StoredEvent(
        shipment_id=item["shipment_id"],
        event=event,
        source=item["source"],
        received_at=datetime.fromisoformat(item["received_at"]),
    )


def notification_log(items: Iterable[dict[str, Any]]) -> NotificationLogEntries:
    sent: list[SentNotification] = []
    skipped: list[SkippedNotification] = []
    for item in items:
        if item.get("sent_at"):
            sent.append(
                SentNotification(
                    type=item["type"],
                    channel=item["channel"],
                    sent_at=datetime.fromisoformat(item["sent_at"]),
                    provider_message_id=item.get("provider_message_id"),
                    shipment_id=item.get("shipment_id"),
                )
            )
        elif item.get("state") == "skipped":
            skipped.append(
                SkippedNotification(
                    type=item["type"],
                    channel=item["channel"],
                    reason=item["reason"],
                    skipped_at=datetime.fromisoformat(item["skipped_at"]),
                    shipment_id=item.get("shipment_id"),
                )
            )
    return NotificationLogEntries(tuple(sent), tuple(skipped))


# -- the registration record ---------------------------------------------------------------------
def record_to_item(record: OrderRecord) -> dict[str, Any]:
    """The record as stored; a copy without customer has neither key (the tracking copy)."""
    promise = record.promise
    item: dict[str, Any] = {
        "placed_at": record.placed_at.isoformat(),
        "items": [_line_to_item(i) for i in record.items],
        "promise": {
            "method": promise.method,
            "earliest": promise.earliest.isoformat(),
            "latest": promise.latest.isoformat(),
            "source": promise.source,
            **{
                name: value
                for name, value in (
                    ("rule", promise.rule),
                    ("carrier", promise.carrier),
                    ("service", promise.service),
                    ("origin", promise.origin),
                )
                if value is not None
            },
        },
        "body_hash": record.body_hash,
    }
    # Stored under the request's own field names (models/orders.py: Customer, OrderDestination).
    if record.customer is not None:
        item["customer"] = {**asdict(record.customer), "channels": list(record.customer.channels)}
    if record.destination is not None:
        item["destination"] = asdict(record.destination)
    return item


def _line_to_item(line: ItemRecord) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": line.sku, "quantity": line.quantity, "name": line.name}
    if line.exchange_skus:  # only where the merchant named some: older items stay as they were
        item["exchange_skus"] = list(line.exchange_skus)
    return item


def _line_from_item(item: dict[str, Any]) -> ItemRecord:
    return ItemRecord(
        item["sku"], int(item["quantity"]), item.get("name"), tuple(item.get("exchange_skus", ()))
    )


def record_from_item(item: dict[str, Any]) -> OrderRecord:
    promise = item["promise"]
    customer = item.get("customer")
    destination = item.get("destination")
    return OrderRecord(
        placed_at=datetime.fromisoformat(item["placed_at"]),
        items=tuple(_line_from_item(i) for i in item["items"]),
        promise=PromiseRecord(
            method=promise["method"],
            earliest=date.fromisoformat(promise["earliest"]),
            latest=date.fromisoformat(promise["latest"]),
            source=promise["source"],
            rule=promise.get("rule"),
            carrier=promise.get("carrier"),
            service=promise.get("service"),
            origin=promise.get("origin"),
        ),
        body_hash=item["body_hash"],
        customer=_customer(customer) if customer else None,
        destination=DestinationRecord(**destination) if destination else None,
    )


def _customer(item: dict[str, Any]) -> CustomerRecord:
    channels: tuple[CustomerChannel, ...] = tuple(item.get("channels") or ("email",))
    return CustomerRecord(
        name=item["name"],
        email=item.get("email"),
        phone=item.get("phone"),
        locale=item["locale"],
        channels=channels,
        time_zone=item.get("time_zone"),
    )
