"""How much one order holds: its shipments and their lines bound the order's item and writes."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders import ShipmentLine, ShipmentState
from chalicelib.domain.orders.bounds import (
    MAX_SHIPMENT_LINES,
    MAX_SHIPMENTS,
    check_room_for_shipment,
)


def parcels(count: int, lines: int = 1) -> list[ShipmentState]:
    items = tuple(ShipmentLine(f"SKU-{n}", 1) for n in range(lines))
    return [ShipmentState(f"S{n}", "dhl", f"TRK-{n}", items) for n in range(count)]


def test_an_order_takes_shipments_up_to_its_bound() -> None:
    check_room_for_shipment(parcels(MAX_SHIPMENTS - 1), lines=1)


def test_one_shipment_more_than_the_bound_is_refused_by_its_id() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_room_for_shipment(parcels(MAX_SHIPMENTS), lines=1)

    assert refused.value.errors == [
        {"loc": ["shipment_id"], "msg": f"An order holds at most {MAX_SHIPMENTS} shipments"}
    ]


def test_lines_beyond_the_orders_bound_are_refused_with_what_is_left() -> None:
    listed = parcels(1, lines=100)
    check_room_for_shipment(listed, lines=MAX_SHIPMENT_LINES - 100)

    with pytest.raises(InvalidInput) as refused:
        check_room_for_shipment(listed, lines=MAX_SHIPMENT_LINES - 99)

    assert refused.value.errors == [
        {
            "loc": ["items"],
            "msg": f"An order's shipments list at most {MAX_SHIPMENT_LINES} lines in all "
            "(100 left)",
        }
    ]
