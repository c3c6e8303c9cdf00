"""The promise's words that the API shares with the engine, defined once.

Kept apart from the engine so that the API models load them without the engine's calendars
(the cold start of ``import app``).
"""

from __future__ import annotations

from typing import Literal

# Why a method cannot be offered for a cart and destination.
UnavailableReason = Literal[
    "outside_zone", "out_of_stock", "cutoff_passed", "destination_not_served"
]
# The kinds of step an explained option lists.
StepKind = Literal[
    "calendar", "sourcing", "cutoff", "skipped", "handling", "transit", "window", "delivery"
]
