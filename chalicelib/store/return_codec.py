"""Explicit mapping between return records and stored attributes (plain JSON types)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.domain.returns import (
    HistoryEntry,
    ItemCondition,
    Money,
    ParcelEvent,
    Resolution,
    ReturnLabel,
    ReturnLine,
    ReturnRecord,
    ReturnStatus,
)


def return_to_item(record: ReturnRecord) -> dict[str, Any]:
    label = record.label
    return {
        "return_id": record.return_id,
        "order_id": record.order_id,
        "status": str(record.status),
        "items": [
            {"sku": i.sku, "quantity": i.quantity, "reason": i.reason, "note": i.note}
            for i in record.items
        ],
        "resolution": {
            "kind": record.resolution.kind,
            "exchange_sku": record.resolution.exchange_sku,
        },
        "requested_at": record.requested_at.isoformat(),
        "history": [
            {
                "status": str(h.status),
                "at": h.at.isoformat(),
                "source": h.source,
                "note": h.note,
                "event_id": h.event_id,
            }
            for h in record.history
        ],
        "version": record.version,
        "label": {
            "carrier": label.carrier,
            "tracking_number": label.tracking_number,
            "label_url": label.label_url,
            "qr_code": label.qr_code,
        }
        if label
        else None,
        "parcel_events": [
            {
                "event_id": e.event_id,
                "status": e.status,
                "occurred_at": e.occurred_at.isoformat(),
                "location": e.location,
            }
            for e in record.parcel_events
        ],
        "conditions": [{"sku": c.sku, "condition": c.condition} for c in record.conditions],
        "refund": {"amount": str(record.refund.amount), "currency": record.refund.currency}
        if record.refund
        else None,
        "exchange_order_id": record.exchange_order_id,
        "rejection_reason": record.rejection_reason,
    }


def return_from_item(item: dict[str, Any]) -> ReturnRecord:
    label, refund = item.get("label"), item.get("refund")
    return ReturnRecord(
        return_id=item["return_id"],
        order_id=item["order_id"],
        status=ReturnStatus(item["status"]),
        items=tuple(
            ReturnLine(i["sku"], int(i["quantity"]), i["reason"], i.get("note"))
            for i in item["items"]
        ),
        resolution=Resolution(item["resolution"]["kind"], item["resolution"].get("exchange_sku")),
        requested_at=datetime.fromisoformat(item["requested_at"]),
        history=tuple(
            HistoryEntry(
                ReturnStatus(h["status"]),
                datetime.fromisoformat(h["at"]),
                h["source"],
                h.get("note"),
                h.get("event_id"),
            )
            for h in item["history"]
        ),
        version=int(item["version"]),
        label=ReturnLabel(
            label["carrier"], label["tracking_number"], label.get("label_url"), label.get("qr_code")
        )
        if label
        else None,
        parcel_events=tuple(
            ParcelEvent(
                e["event_id"],
                e["status"],
                datetime.fromisoformat(e["occurred_at"]),
                e.get("location"),
            )
            for e in item.get("parcel_events", [])
        ),
        conditions=tuple(
            ItemCondition(c["sku"], c["condition"]) for c in item.get("conditions", [])
        ),
        refund=Money(Decimal(refund["amount"]), refund["currency"]) if refund else None,
        exchange_order_id=item.get("exchange_order_id"),
        rejection_reason=item.get("rejection_reason"),
    )
