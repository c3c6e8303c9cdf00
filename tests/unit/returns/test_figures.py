"""Return figures: facts → counter updates → the summary (count, rate, reasons, median days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain.facts import merge_amounts
from chalicelib.domain.returns import ReturnLine
from chalicelib.domain.returns.figures import (
    PROJECTIONS,
    median_of_histogram,
    order_registered,
    return_refunded,
    return_requested,
    summarize,
)
from tests.unit.returns.builders import REQUESTED_AT, a_return


def counted(fact_kind: str, payload: dict[str, object]) -> dict[str, dict[str, int]]:
    return {u.bucket: dict(u.amounts) for u in PROJECTIONS[fact_kind](payload)}


def test_each_fact_counts_in_its_own_dimension_and_day() -> None:
    record = a_return(
        items=(ReturnLine("TSHIRT-M", 2, "too_small"), ReturnLine("MUG-BLUE", 1, "damaged"))
    )
    order = order_registered("1001", datetime(2026, 12, 21, 9, tzinfo=UTC))
    requested = return_requested(record)
    refunded = return_refunded(record, REQUESTED_AT + timedelta(days=6, hours=3))

    assert counted(order.kind, order.payload) == {"2026-12-21": {"count": 1}}
    assert counted(requested.kind, requested.payload) == {
        "2026-12-28": {"count": 1, "reason:too_small": 2, "reason:damaged": 1}
    }
    assert counted(refunded.kind, refunded.payload) == {"2027-01-03": {"count": 1, "d6": 1}}
    assert len({order.fact_id, requested.fact_id, refunded.fact_id}) == 3


def test_a_payload_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ValidationError):
        PROJECTIONS["return_requested"]({"day": "2026-12-01", "reasons": {"bored": 1}})


def test_the_summary_adds_the_days_and_ranks_the_reasons() -> None:
    summary = summarize(
        orders={"2026-12-01": {"count": 6}, "2026-12-02": {"count": 4}},
        requests={
            "2026-12-01": {"count": 2, "reason:too_small": 3, "reason:damaged": 1},
            "2026-12-02": {"count": 1, "reason:damaged": 1, "reason:changed_mind": 2},
        },
        refund_days={"2026-12-05": {"count": 2, "d3": 1, "d7": 1}, "2026-12-06": {"d4": 1}},
    )

    assert (summary.count, summary.orders, summary.rate) == (3, 10, 0.3)
    assert [(r.reason, r.items) for r in summary.reasons] == [
        ("too_small", 3),
        ("changed_mind", 2),
        ("damaged", 2),
    ]
    assert (summary.refunded, summary.median_days_to_refund) == (3, 4)


def test_an_empty_period_has_no_rate_and_no_median() -> None:
    summary = summarize({}, {}, {})

    assert (summary.count, summary.rate, summary.median_days_to_refund) == (0, None, None)


@given(st.lists(st.integers(0, 60), min_size=1, max_size=50))
def test_the_histogram_median_is_the_median_of_the_values(values: list[int]) -> None:
    histogram = merge_amounts([{str(v): 1} for v in values])
    ordered = sorted(values)
    middle = len(ordered) // 2
    expected = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2

    assert median_of_histogram({int(k): n for k, n in histogram.items()}) == expected
