"""Optimistic locking's other half: run a use case again when it lost a race."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from chalicelib.domain import errors
from chalicelib.store.orders import RevisionConflict

T = TypeVar("T")
MAX_ATTEMPTS = 12


def retrying(attempt: Callable[[], T], pause: Callable[[float], None] = time.sleep) -> T:
    """Run `attempt` again on a lost optimistic-locking race, with jittered backoff (``pause``:
    the tests' way to skip the waiting)."""
    for n in range(MAX_ATTEMPTS):
        try:
            return attempt()
        except RevisionConflict:
            pause(random.uniform(0, 0.005 * 2 ** min(n, 6)))
    raise errors.Conflict("the order is changing too fast; retry the request")
