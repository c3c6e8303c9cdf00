"""Returns domain: reason codes, resolutions, the lifecycle table, the return policy, figures.

Pure: no AWS, no Chalice, no environment; time is passed in as ``now``.
"""

from chalicelib.domain.returns.policy import (
    DeliveredParcel,
    OrderForReturn,
    ReturnPolicy,
    check_request,
    remaining,
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
    REASONS,
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
    "REASONS",
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
    "ReturnPolicy",
    "ReturnRecord",
    "ReturnStatus",
    "Source",
    "Step",
    "apply_parcel_event",
    "can_move",
    "check_request",
    "move",
    "remaining",
]
