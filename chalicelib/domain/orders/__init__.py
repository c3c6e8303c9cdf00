"""Order status domain: shipment tracking state, derived order status, promise state, outbox.

Pure: no AWS, no Chalice, no environment; time is passed in as ``now``. The order service
runs one of the ``transitions`` per change and commits its outcome in one transaction; the rest
is importable for reading (the API's timeline, estimates) and for tests.
"""

from chalicelib.domain.orders.changes import outbox_messages
from chalicelib.domain.orders.due import next_check_at
from chalicelib.domain.orders.estimate import EstimateRule, estimated_delivery
from chalicelib.domain.orders.order import OrderLine, OrderState, cancel_order, evaluate_order
from chalicelib.domain.orders.order_status import (
    Fulfilment,
    OrderStatus,
    derive_order_status,
    fulfilment,
)
from chalicelib.domain.orders.policy import DEFAULT_POLICY, PromisePolicy
from chalicelib.domain.orders.promise_state import (
    ParcelProgress,
    PromiseState,
    PromiseWindow,
    promise_state,
)
from chalicelib.domain.orders.shipment import (
    CarrierEstimate,
    ShipmentEvent,
    ShipmentLine,
    ShipmentState,
    apply_event,
    apply_events,
)
from chalicelib.domain.orders.timeline import (
    MAX_EVENTS_PER_PARCEL,
    TimelineTrim,
    timeline,
    trim_timeline,
)
from chalicelib.domain.orders.transitions import (
    Outcome,
    cancel,
    open_order,
    record_event,
    reevaluate,
)
from chalicelib.domain.parcel_status import ParcelStatus

__all__ = [
    "DEFAULT_POLICY",
    "MAX_EVENTS_PER_PARCEL",
    "CarrierEstimate",
    "EstimateRule",
    "Fulfilment",
    "OrderLine",
    "OrderState",
    "OrderStatus",
    "Outcome",
    "ParcelProgress",
    "ParcelStatus",
    "PromisePolicy",
    "PromiseState",
    "PromiseWindow",
    "ShipmentEvent",
    "ShipmentLine",
    "ShipmentState",
    "TimelineTrim",
    "apply_event",
    "apply_events",
    "cancel",
    "cancel_order",
    "derive_order_status",
    "estimated_delivery",
    "evaluate_order",
    "fulfilment",
    "next_check_at",
    "open_order",
    "outbox_messages",
    "promise_state",
    "record_event",
    "reevaluate",
    "timeline",
    "trim_timeline",
]
