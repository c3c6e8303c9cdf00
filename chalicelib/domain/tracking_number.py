"""How tracking numbers are matched: apart from the tracking package, so that the store's keys
can use it without loading the webhook adapters' modules."""

from __future__ import annotations

import re


def tracking_number_key(tracking_number: str) -> str:
    """The tracking number as parcels are matched: without spaces, in capitals (carriers print
    ``JJD 0001 2345`` and aggregators send ``jjd00012345`` for one parcel)."""
    return re.sub(r"\s+", "", tracking_number).upper()
