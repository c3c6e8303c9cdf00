"""``parcel_delivered`` facts → counters, for the learned windows and the accuracy report.

Learning: family ``lanes``, one dimension, weekly buckets, spread over ``LANE_SHARDS`` items per
week so that busy lanes do not all write one item; each lane's histogram lives in attributes
``<lane>|n``, ``<lane>|t<transit days>`` and ``<lane>|h<handling days>``. A week of every
lane is one read of ``LANE_SHARDS`` items.

Report: family ``accuracy``, daily buckets, one counter per filter the report offers (all,
carrier, method, both); each day item also carries its per-lane figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from chalicelib.domain.accuracy.delivered import ParcelDelivered
from chalicelib.domain.accuracy.lanes import Lane
from chalicelib.domain.facts import CounterUpdate

LANES = "lanes"
LANES_DIMENSION = "all"
LANE_SHARDS = 4
ACCURACY = "accuracy"
MAX_TRANSIT_BIN = 15  # "t15" holds 15 days and more: a window that wide teaches nothing
LATE_BINS = ("late1", "late2", "late3")


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def accuracy_dimension(carrier: str | None, method: str | None) -> str:
    return f"carrier={carrier or '*'}|method={method or '*'}"


def outcome(parcel: ParcelDelivered) -> str:
    """within, early, late1, late2 or late3 (three calendar days late or more)."""
    if parcel.delivered_on < parcel.promised_earliest:
        return "early"
    if parcel.delivered_on <= parcel.promised_latest:
        return "within"
    late = (parcel.delivered_on - parcel.promised_latest).days
    return LATE_BINS[min(late, 3) - 1]


def project_delivered(payload: Mapping[str, Any]) -> Sequence[CounterUpdate]:
    parcel = ParcelDelivered.model_validate(payload)
    lane = Lane.from_key(parcel.lane)
    day = parcel.delivered_on.isoformat()
    result = outcome(parcel)
    figures = {"delivered": 1, result: 1, "window_days": parcel.window_days}
    if parcel.learning != "used":
        figures[parcel.learning] = 1
    per_lane = {f"{parcel.lane}|delivered": 1, f"{parcel.lane}|{result}": 1}
    updates = [
        CounterUpdate(ACCURACY, accuracy_dimension(c, m), day, {**figures, **per_lane})
        for c, m in (
            (None, None),
            (lane.carrier, None),
            (None, parcel.method),
            (lane.carrier, parcel.method),
        )
    ]
    if parcel.learning == "used" and parcel.transit_days is not None:
        transit = min(parcel.transit_days, MAX_TRANSIT_BIN)
        learned = {f"{parcel.lane}|n": 1, f"{parcel.lane}|t{transit}": 1}
        if parcel.handling_days is not None:
            learned[f"{parcel.lane}|h{min(parcel.handling_days, MAX_TRANSIT_BIN)}"] = 1
        week = week_of(parcel.delivered_on)
        updates.append(CounterUpdate(LANES, LANES_DIMENSION, week, learned, shards=LANE_SHARDS))
    return updates
