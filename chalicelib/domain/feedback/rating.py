"""When an order may be rated, and the delivery context a rating is stored with.

Rules:

| situation                                         | outcome                  |
|---------------------------------------------------|--------------------------|
| no parcel of the order delivered                  | NotDelivered (409)       |
| not rated yet                                     | first rating (201)       |
| rated, within 14 days of the first rating         | change, history kept (200) |
| rated, 14 days or more after the first rating     | AlreadyRated (409)       |
| rated and changed 20 times already                | AlreadyRated (409)       |

Each earlier answer is kept in an item of its own (store/feedback.py), so the rating's item
holds one answer however often it changes; the number of changes is bounded all the same, as
each answer may hold a hundred product comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from chalicelib.domain.errors import AlreadyRated, InvalidInput, NotDelivered

RATING_MIN, RATING_MAX = 1, 10
COMMENT_MAX = 2000
PRODUCT_COMMENT_MAX = 500
CHANGE_WINDOW = timedelta(days=14)
MAX_CHANGES = 20
LOW_RATING = 3  # at or below: worth a person following up (a metric and a merchant alert)
TAGS = ("speed", "packaging", "communication", "product", "courier")

# kept/broken once the promise is decided; "open" while parcels of a split order are still out
# and the promised day has not passed (the rating says nothing about the promise yet).
PromiseOutcome = Literal["kept", "broken", "open"]


@dataclass(frozen=True, slots=True)
class RatingContext:
    """What a rating is analysed against, fixed when the order is first rated."""

    promise: PromiseOutcome
    days_late: int  # 0 unless broken: days between the promised latest day and the delivery
    carrier: str
    method: str
    delay_announced: bool  # a "delayed" notification went out before the promised day passed


@dataclass(frozen=True, slots=True)
class DeliveredParcel:
    carrier: str
    delivered_at: datetime
    skus: frozenset[str]


def check_may_rate(
    delivered: Sequence[DeliveredParcel],
    first_rated_at: datetime | None,
    now: datetime,
    changes: int = 0,
) -> None:
    """Raise unless a rating may be recorded now (see the table above); ``changes``: how often
    the rating has been changed so far."""
    if not delivered:
        raise NotDelivered("no parcel of this order has been delivered yet")
    if first_rated_at is not None and now >= first_rated_at + CHANGE_WINDOW:
        raise AlreadyRated("a rating can only be changed within 14 days")
    if changes >= MAX_CHANGES:
        raise AlreadyRated(f"a rating can be changed at most {MAX_CHANGES} times")


def check_products(delivered: Sequence[DeliveredParcel], skus: Sequence[str]) -> None:
    """Products may be rated once a parcel holding them has arrived, each at most once."""
    arrived = frozenset().union(*(p.skus for p in delivered))
    problems: list[dict[str, object]] = []
    for index, sku in enumerate(skus):
        if sku not in arrived:
            problems.append({"loc": ["items", index, "sku"], "msg": "Not among delivered items"})
        elif sku in skus[:index]:
            problems.append({"loc": ["items", index, "sku"], "msg": "Rated twice"})
    if problems:
        raise InvalidInput("only delivered items can be rated, once each", problems)


def promise_outcome(
    promise_state: str,
    latest: date,
    delivered: Sequence[DeliveredParcel],
    zone: tzinfo,
    now: datetime,
) -> tuple[PromiseOutcome, int]:
    """The promise as the customer lived it: kept, broken (and by how many days), or open.

    A late order not yet complete is broken already; its delay counts up to today.
    """
    if promise_state == "kept":
        return "kept", 0
    if promise_state == "broken":
        last = max(p.delivered_at for p in delivered).astimezone(zone).date()
        return "broken", max((last - latest).days, 0)
    if promise_state == "late":
        return "broken", max((now.astimezone(zone).date() - latest).days, 0)
    return "open", 0


def delay_announced(delay_notices_sent: Iterable[datetime], latest: date, zone: tzinfo) -> bool:
    """A delay notice counts as announced when it went out on or before the promised day."""
    return any(sent.astimezone(zone).date() <= latest for sent in delay_notices_sent)


@dataclass(frozen=True, slots=True)
class ProductRating:
    sku: str
    rating: int
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Rating:
    """One answer of the customer: the rating, what they wrote and when."""

    rating: int
    comment: str | None
    tags: tuple[str, ...]
    products: tuple[ProductRating, ...]
    rated_at: datetime


@dataclass(frozen=True, slots=True)
class RatingRecord:
    """An order's rating: the current answer and the context of the first; ``version`` counts
    the answers (the earlier ones are kept apart, see the module's docstring)."""

    order_id: str
    current: Rating
    context: RatingContext
    first_rated_at: datetime
    version: int = 1

    @property
    def changes(self) -> int:
        """How often the rating was changed: each change replaced one earlier answer."""
        return self.version - 1


def first_rating(order_id: str, rating: Rating, context: RatingContext) -> RatingRecord:
    return RatingRecord(order_id, rating, context, first_rated_at=rating.rated_at)


def changed_rating(record: RatingRecord, rating: Rating) -> RatingRecord:
    """The record with ``rating`` as the current answer (the one it replaces is kept apart)."""
    return RatingRecord(
        order_id=record.order_id,
        current=rating,
        context=record.context,
        first_rated_at=record.first_rated_at,
        version=record.version + 1,
    )
