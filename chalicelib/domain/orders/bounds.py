"""How much one order holds.

The order item and each of its tracking copies hold every shipment of the order, and a carrier
event's transaction writes the order and all its copies: the number of shipments and of their
lines bounds the item (DynamoDB's 400 KB), the transaction's actions (100) and its size (4 MB).
Twenty parcels of one order is far more than a shop sends; a hundred and one made every later
carrier event of the order fail.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders.shipment import ShipmentState

MAX_SHIPMENTS = 20
MAX_SHIPMENT_LINES = 200  # over all the order's shipments


def check_room_for_shipment(shipments: Sequence[ShipmentState], lines: int) -> None:
    """InvalidInput (422) when a shipment of ``lines`` lines would not fit the order."""
    problems: list[dict[str, object]] = []
    if len(shipments) >= MAX_SHIPMENTS:
        problems.append(
            {"loc": ["shipment_id"], "msg": f"An order holds at most {MAX_SHIPMENTS} shipments"}
        )
    listed = sum(len(shipment.items) for shipment in shipments)
    if listed + lines > MAX_SHIPMENT_LINES:
        problems.append(
            {
                "loc": ["items"],
                "msg": f"An order's shipments list at most {MAX_SHIPMENT_LINES} lines in all "
                f"({max(MAX_SHIPMENT_LINES - listed, 0)} left)",
            }
        )
    if problems:
        raise InvalidInput("the order has no room for this shipment", problems)
