"""Ratings → counters, and counters → the merchant's summary and product ranking.

One counter item per day, dimension and shard holds every split of that slice as attributes
(``all.r7``, ``kept.r7``, ``broken.r7``, ``announced.r7``, ``not_announced.r7``: how many 7s), so
a month's summary reads one item per day and shard, whatever the volume. Products share one
item per day and shard: ``<sku>#n`` and ``<sku>#sum``.

A changed rating is one fact that takes the old rating back and adds the new one, in the day of
the first rating: the counters stay exact without reading them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.facts import CounterUpdate

FACT_KIND = "rating"
FAMILY = "feedback"
PRODUCTS = "products"
# Two shards: a busy day's writes are spread over two partitions, and a month's summary still
# reads at most 31 × 2 = 62 items.
SHARDS = 2
SPLITS = ("all", "kept", "broken", "announced", "not_announced")
SCORES = range(1, 11)

Score = Annotated[int, Field(ge=1, le=10, strict=True)]


class CountedProduct(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    sku: str
    rating: Score


class CountedRating(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    rating: Score
    products: tuple[CountedProduct, ...] = ()


class RatingFact(BaseModel):
    """The payload of a ``rating`` fact: the rating now, and the one it replaces (if any)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    day: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]  # of the first rating
    carrier: str
    method: str
    promise: Literal["kept", "broken", "open"]
    delay_announced: bool
    current: CountedRating
    previous: CountedRating | None = None


def dimensions(carrier: str, method: str) -> tuple[str, ...]:
    """Every slice a rating is counted in; a report reads exactly one of them."""
    return ("all", f"carrier={carrier}", f"method={method}", f"carrier={carrier}|method={method}")


def dimension_for(carrier: str | None, method: str | None) -> str:
    parts = [f"carrier={carrier}" if carrier else "", f"method={method}" if method else ""]
    return "|".join(p for p in parts if p) or "all"


def _splits(fact: RatingFact) -> tuple[str, ...]:
    splits = ["all"]
    if fact.promise != "open":
        splits.append(fact.promise)
    if fact.delay_announced:
        splits.append("announced")
    elif fact.promise == "broken":
        splits.append("not_announced")
    return tuple(splits)


def _add(amounts: dict[str, int], name: str, amount: int) -> None:
    amounts[name] = amounts.get(name, 0) + amount


def _net(amounts: dict[str, int]) -> dict[str, int]:
    return {name: amount for name, amount in amounts.items() if amount}


def count_rating(payload: Mapping[str, object]) -> Sequence[CounterUpdate]:
    """The projection of a ``rating`` fact (registered in services/projections.py)."""
    fact = RatingFact.model_validate(payload)
    scores: dict[str, int] = {}
    products: dict[str, int] = {}
    for rating, sign in ((fact.current, 1), (fact.previous, -1)):
        if rating is None:
            continue
        for split in _splits(fact):
            _add(scores, f"{split}.r{rating.rating}", sign)
        for product in rating.products:
            _add(products, f"{product.sku}#n", sign)
            _add(products, f"{product.sku}#sum", sign * product.rating)
    updates = [
        CounterUpdate(FAMILY, dimension, fact.day, _net(scores), shards=SHARDS)
        for dimension in dimensions(fact.carrier, fact.method)
    ]
    updates.append(CounterUpdate(FAMILY, PRODUCTS, fact.day, _net(products), shards=SHARDS))
    return updates


# -- reading -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Figures:
    count: int
    mean: float | None
    distribution: dict[str, int]
    score: float | None  # promoters (9–10) minus detractors (1–6), in % of all ratings


def figures(distribution: Mapping[int, int]) -> Figures:
    count = sum(distribution.values())
    if count == 0:
        return Figures(0, None, {str(s): 0 for s in SCORES}, None)
    total = sum(score * n for score, n in distribution.items())
    promoters = distribution.get(9, 0) + distribution.get(10, 0)
    detractors = sum(distribution.get(s, 0) for s in range(1, 7))
    return Figures(
        count=count,
        mean=round(total / count, 2),
        distribution={str(s): distribution.get(s, 0) for s in SCORES},
        score=round(100 * (promoters - detractors) / count, 1),
    )


def split_figures(totals: Mapping[str, int]) -> dict[str, Figures]:
    """Counters added over the range (``kept.r7`` → n) → figures per split."""
    return {split: figures({s: totals.get(f"{split}.r{s}", 0) for s in SCORES}) for split in SPLITS}


@dataclass(frozen=True, slots=True)
class ProductFigures:
    sku: str
    count: int
    mean: float


def rank_products(totals: Mapping[str, int]) -> list[ProductFigures]:
    """Products by mean rating, then by count (more ratings first), then by SKU."""
    ranked: list[ProductFigures] = []
    for name, count in totals.items():
        sku, _, what = name.rpartition("#")
        if what != "n" or count <= 0:
            continue
        ranked.append(ProductFigures(sku, count, round(totals.get(f"{sku}#sum", 0) / count, 2)))
    return sorted(ranked, key=lambda p: (-p.mean, -p.count, p.sku))
