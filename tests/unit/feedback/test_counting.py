"""Ratings → counters → figures: the arithmetic of the merchant's summary, without AWS."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain.facts import merge_amounts
from chalicelib.domain.feedback.counting import (
    SHARDS,
    count_rating,
    dimension_for,
    figures,
    rank_products,
    split_figures,
)


def fact(rating: int, previous: int | None = None, **context: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "day": "2026-12-24",
        "carrier": "dhl",
        "method": "standard",
        "promise": "kept",
        "delay_announced": False,
        "current": {"rating": rating},
        **context,
    }
    if previous is not None:
        payload["previous"] = {"rating": previous}
    return payload


def totals(*payloads: dict[str, Any], dimension: str = "all") -> dict[str, int]:
    updates = [u for p in payloads for u in count_rating(p) if u.dimension == dimension]
    return {k: v for k, v in merge_amounts([u.amounts for u in updates]).items() if v}


def test_a_rating_is_counted_in_every_slice_a_report_may_ask_for() -> None:
    updates = count_rating(fact(9))

    assert [u.dimension for u in updates] == [
        "all",
        "carrier=dhl",
        "method=standard",
        "carrier=dhl|method=standard",
        "products",
    ]
    assert all(u.bucket == "2026-12-24" and u.shards == SHARDS for u in updates)
    assert updates[0].amounts == {"all.r9": 1, "kept.r9": 1}


@pytest.mark.parametrize(
    ("promise", "announced", "splits"),
    [
        ("kept", False, {"all", "kept"}),
        ("kept", True, {"all", "kept", "announced"}),
        ("broken", True, {"all", "broken", "announced"}),
        ("broken", False, {"all", "broken", "not_announced"}),
        ("open", False, {"all"}),
    ],
)
def test_each_rating_lands_in_its_splits(promise: str, announced: bool, splits: set[str]) -> None:
    amounts = totals(fact(5, promise=promise, delay_announced=announced))

    assert {name.split(".")[0] for name in amounts} == splits


@given(st.integers(1, 10), st.integers(1, 10))
def test_a_change_takes_the_old_rating_back_and_adds_the_new_one(old: int, new: int) -> None:
    counted = totals(fact(old), fact(new, previous=old))

    assert counted == totals(fact(new))


def test_a_change_to_the_same_rating_adds_nothing() -> None:
    assert count_rating(fact(7, previous=7))[0].amounts == {}


@pytest.mark.parametrize("rating", [0, 11, "7", 7.5, None])
def test_a_payload_with_an_impossible_rating_is_refused(rating: Any) -> None:
    with pytest.raises(ValidationError):
        count_rating(fact(rating))


def test_figures_give_count_mean_distribution_and_promoters_minus_detractors() -> None:
    # 2 promoters (9, 10), 1 passive (8), 2 detractors (1, 6)
    result = figures({10: 1, 9: 1, 8: 1, 6: 1, 1: 1})

    assert (result.count, result.mean, result.score) == (5, 6.8, 0.0)
    assert result.distribution == {
        "1": 1, "2": 0, "3": 0, "4": 0, "5": 0, "6": 1, "7": 0, "8": 1, "9": 1, "10": 1,
    }  # fmt: skip


def test_no_ratings_have_no_mean_and_no_score() -> None:
    result = figures({})

    assert (result.count, result.mean, result.score) == (0, None, None)


@given(st.lists(st.integers(1, 10), min_size=1, max_size=200))
def test_figures_from_counters_match_the_ratings_themselves(ratings: list[int]) -> None:
    counted = split_figures(totals(*(fact(r) for r in ratings)))["all"]

    assert counted.count == len(ratings)
    assert counted.mean == round(sum(ratings) / len(ratings), 2)
    promoters = sum(r >= 9 for r in ratings)
    detractors = sum(r <= 6 for r in ratings)
    assert counted.score == round(100 * (promoters - detractors) / len(ratings), 1)


def test_products_rank_by_mean_then_by_count() -> None:
    payloads = [
        fact(8, current={"rating": 8, "products": [{"sku": "MUG", "rating": 9}]}),
        fact(8, current={"rating": 8, "products": [{"sku": "MUG", "rating": 7}]}),
        fact(8, current={"rating": 8, "products": [{"sku": "SOCKS", "rating": 8}]}),
        fact(8, current={"rating": 8, "products": [{"sku": "HAT", "rating": 10}]}),
    ]

    ranked = rank_products(totals(*payloads, dimension="products"))

    assert [(p.sku, p.count, p.mean) for p in ranked] == [
        ("HAT", 1, 10.0),
        ("MUG", 2, 8.0),
        ("SOCKS", 1, 8.0),
    ]


@pytest.mark.parametrize(
    ("carrier", "method", "dimension"),
    [(None, None, "all"), ("dhl", None, "carrier=dhl"), (None, "express", "method=express"),
     ("dhl", "express", "carrier=dhl|method=express")],
)  # fmt: skip
def test_a_filter_reads_the_slice_the_projection_wrote(
    carrier: str | None, method: str | None, dimension: str
) -> None:
    assert dimension_for(carrier, method) == dimension
    written = {u.dimension for u in count_rating(fact(5, carrier="dhl", method="express"))}
    assert dimension in written
