"""A return survives the trip to stored attributes and back, whatever it holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from chalicelib.domain.returns import (
    HistoryEntry,
    ItemCondition,
    Money,
    ParcelEvent,
    Resolution,
    ReturnLabel,
    ReturnLine,
    ReturnStatus,
)
from chalicelib.store.return_codec import return_from_item, return_to_item
from tests.unit.returns.builders import REQUESTED_AT, a_return


def test_a_fresh_return_and_a_refunded_one_read_back_equal() -> None:
    later = REQUESTED_AT + timedelta(days=5)
    full = replace(
        a_return(ReturnStatus.REFUNDED),
        items=(ReturnLine("TSHIRT-M", 2, "other", "Farbe anders als im Bild"),),
        resolution=Resolution("exchange", "TSHIRT-L"),
        history=(
            HistoryEntry(ReturnStatus.REQUESTED, REQUESTED_AT, "request"),
            HistoryEntry(ReturnStatus.RECEIVED, later, "carrier", None, "r-2"),
            HistoryEntry(ReturnStatus.REFUNDED, later, "merchant", "Danke"),
        ),
        version=7,
        label=ReturnLabel("dhl", "RET1", "https://labels.example/1", "QR"),
        parcel_events=(ParcelEvent("r-2", "delivered", later, "Leipzig"),),
        conditions=(ItemCondition("TSHIRT-M", "as_new"),),
        refund=Money(Decimal("39.80"), "EUR"),
        exchange_order_id="1002",
        rejection_reason=None,
    )

    for record in (a_return(), full):
        assert return_from_item(return_to_item(record)) == record
