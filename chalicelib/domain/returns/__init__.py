"""Returns domain: reason codes, resolutions, the lifecycle table, the return policy, figures.

Pure: no AWS, no Chalice, no environment; time is passed in as ``now``.
"""

from chalicelib.domain.returns.policy import (
    DeliveredParcel,
    OrderForReturn,
    Refusal,
    RefusalKind,
    ReturnableSku,
    ReturnPolicy,
    ReturnRefused,
    check_request,
    remaining,
    returnable,
)
from chalicelib.domain.returns.transitions import (
    ALLOWED,
    PARCEL_MOVES,
    TERMINAL,
    apply_parcel_event,
    can_move,
    move,
)
from chalicelib.domain.returns.values import (
    Condition,
    HistoryEntry,
    ItemCondition,
    Money,
    ParcelEvent,
    Reason,
    Resolution,
    ResolutionKind,
    ReturnLabel,
    ReturnLine,
    ReturnRecord,
    ReturnStatus,
    Source,
    Step,
)

__all__ = [
    "ALLOWED",
    "PARCEL_MOVES",
    "TERMINAL",
    "Condition",
    "DeliveredParcel",
    "HistoryEntry",
    "ItemCondition",
    "Money",
    "OrderForReturn",
    "ParcelEvent",
    "Reason",
    "Resolution",
    "ResolutionKind",
    "ReturnLabel",
    "ReturnLine",
    "Refusal",
    "RefusalKind",
    "ReturnPolicy",
    "ReturnRecord",
    "ReturnRefused",
    "ReturnableSku",
    "ReturnStatus",
    "Source",
    "Step",
    "apply_parcel_event",
    "can_move",
    "check_request",
    "move",
    "remaining",
    "returnable",
]
