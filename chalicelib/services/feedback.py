"""Feedback use cases: record a customer's rating, and the merchant's figures from counters.

Recording reads the order and its rating, applies the rating rules (domain/feedback), and
commits the rating with its fact in one conditional transaction; a lost race is decided again
on fresh state, so concurrent submissions end as one record with its history.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain import errors
from chalicelib.domain.customer_tokens import CustomerTokens
from chalicelib.domain.facts import Fact, merge_amounts
from chalicelib.domain.feedback import counting
from chalicelib.domain.feedback.rating import (
    CHANGE_WINDOW,
    LOW_RATING,
    DeliveredParcel,
    ProductRating,
    Rating,
    RatingContext,
    RatingRecord,
    changed_rating,
    check_may_rate,
    check_products,
    delay_announced,
    first_rating,
    promise_outcome,
)
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.models import feedback as api
from chalicelib.services.customer_access import authorized_order
from chalicelib.store.counters import CounterStore
from chalicelib.store.feedback import FeedbackStore, RatingRace
from chalicelib.store.orders import OrderRepository
from chalicelib.store.records import StoredOrder

MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class FeedbackContext:
    orders: OrderRepository
    ratings: FeedbackStore
    counters: CounterStore
    customer_tokens: CustomerTokens
    now: Callable[[], datetime]


@dataclass(frozen=True)
class Recorded:
    view: api.FeedbackView
    created: bool


def authorize(ctx: FeedbackContext, order_id: str, token: str | None) -> None:
    """Only the order's own token, of its current generation, rates it (its signature is
    checked before any read)."""
    authorized_order(ctx.customer_tokens, ctx.orders.get, order_id, token, ctx.now())


@dataclass(frozen=True)
class FeedbackService:
    """The feedback use cases, wired to one container's context (``deps.feedback_service()``)."""

    ctx: FeedbackContext

    def authorize(self, order_id: str, token: str | None) -> None:
        authorize(self.ctx, order_id, token)

    def language_of(self, order_id: str) -> str | None:
        """The customer's language (``de`` of ``de-DE``), for pages; None for an unknown order."""
        stored = self.ctx.orders.get(order_id)
        customer = stored.record.customer if stored else None
        return customer.locale.split("-", 1)[0] if customer else None

    def record(self, request: api.FeedbackRequest) -> Recorded:
        """Record the rating (created) or change it within the window (not created)."""
        return _record(self.ctx, request)

    def send_reminders(self) -> int:
        """Remind every customer whose order was delivered three days ago and is not rated."""
        now = self.ctx.now()
        sent = 0
        for order_id in self.ctx.ratings.due_reminders(now):
            message = OutboxMessage(
                message_id=OutboxMessage.make_id("rating_reminder", order_id, None, None),
                kind="rating_reminder",
                order_id=order_id,
                occurred_at=now,
            )
            if self.ctx.ratings.remind(message, now):
                sent += 1
            else:  # rated meanwhile
                self.ctx.ratings.drop_reminder(order_id)
        return sent

    def summary(self, query: api.SummaryQuery) -> api.FeedbackSummary:
        return _summary(self.ctx.counters, query)

    def product_ranking(self, query: api.RangeQuery) -> api.ProductRanking:
        return _product_ranking(self.ctx.counters, query)


def _record(ctx: FeedbackContext, request: api.FeedbackRequest) -> Recorded:
    authorize(ctx, request.order_id, request.token)
    for n in range(MAX_ATTEMPTS):
        try:
            return _attempt(ctx, request)
        except RatingRace:  # jittered backoff: concurrent submissions take turns
            time.sleep(random.uniform(0, 0.005 * 2 ** min(n, 6)))
    raise errors.Conflict("the rating is changing too fast; retry the request")


def _attempt(ctx: FeedbackContext, request: api.FeedbackRequest) -> Recorded:
    stored = ctx.orders.get(request.order_id)
    if stored is None:
        raise errors.NotFound(f"order {request.order_id} not found")
    now = ctx.now()
    delivered = _delivered(stored)
    before = ctx.ratings.get(request.order_id)
    if before is None:
        check_may_rate(delivered, None, now)
    else:
        check_may_rate(delivered, before.first_rated_at, now, before.changes)
    check_products(delivered, [item.sku for item in request.items])
    rating = Rating(
        rating=request.rating,
        comment=request.comment,
        tags=tuple(request.tags),
        products=tuple(ProductRating(i.sku, i.rating, i.comment) for i in request.items),
        rated_at=now,
    )
    if before is None:
        after = first_rating(request.order_id, rating, _context(ctx, stored, delivered, now))
    else:
        after = changed_rating(before, rating)
    ctx.ratings.save(before, after, _fact(before, after), now, _alert(after, now))
    return Recorded(_view(after), created=before is None)


def _delivered(stored: StoredOrder) -> list[DeliveredParcel]:
    return [
        DeliveredParcel(s.carrier, s.delivered_at, frozenset(i.sku for i in s.items))
        for s in stored.shipments
        if s.delivered_at is not None
    ]


def _context(
    ctx: FeedbackContext, stored: StoredOrder, delivered: list[DeliveredParcel], now: datetime
) -> RatingContext:
    order = stored.order
    outcome, days_late = promise_outcome(
        str(order.promise_state), order.window.latest, delivered, order.zone, now
    )
    notices = [
        sent.sent_at
        for sent in ctx.orders.notifications(stored.order_id).sent
        if sent.type == "delayed"
    ]
    first = min(delivered, key=lambda p: p.delivered_at)
    return RatingContext(
        promise=outcome,
        days_late=days_late,
        carrier=first.carrier,
        method=stored.record.promise.method,
        delay_announced=delay_announced(notices, order.window.latest, order.zone),
    )


def _counted(rating: Rating) -> counting.CountedRating:
    return counting.CountedRating(
        rating=rating.rating,
        products=tuple(
            counting.CountedProduct(sku=p.sku, rating=p.rating) for p in rating.products
        ),
    )


def _fact(before: RatingRecord | None, after: RatingRecord) -> Fact:
    context = after.context
    payload = counting.RatingFact(
        day=after.first_rated_at.date().isoformat(),
        carrier=context.carrier,
        method=context.method,
        promise=context.promise,
        delay_announced=context.delay_announced,
        current=_counted(after.current),
        previous=_counted(before.current) if before else None,
    )
    return Fact(
        # One fact per version of the rating: a retried write of the same change is refused.
        fact_id=f"rating#{after.order_id}#{after.version}",
        kind=counting.FACT_KIND,
        payload=payload.model_dump(mode="json"),
    )


def _alert(record: RatingRecord, now: datetime) -> OutboxMessage | None:
    """A low rating asks the merchant to follow up (through the webhook, never the customer)."""
    rating = record.current.rating
    if rating > LOW_RATING:
        return None
    status = str(rating)
    return OutboxMessage(
        message_id=OutboxMessage.make_id("low_rating", record.order_id, None, status),
        kind="low_rating",
        order_id=record.order_id,
        status=status,
        occurred_at=now,
    )


def _view(record: RatingRecord) -> api.FeedbackView:
    current = record.current
    return api.FeedbackView(
        order_id=record.order_id,
        rating=current.rating,
        comment=current.comment,
        tags=list(current.tags),
        items=[api.ProductRatingView(sku=p.sku, rating=p.rating, comment=p.comment)
               for p in current.products],
        rated_at=current.rated_at,
        first_rated_at=record.first_rated_at,
        changeable_until=record.first_rated_at + CHANGE_WINDOW,
        previous_ratings=record.changes,
        promise=record.context.promise,
    )  # fmt: skip


# -- the merchant's figures ----------------------------------------------------------------------
def _days(first: date, last: date) -> tuple[str, str]:
    return first.isoformat(), last.isoformat()


def _summary(counters: CounterStore, query: api.SummaryQuery) -> api.FeedbackSummary:
    dimension = counting.dimension_for(query.carrier, query.method)
    read = counters.read(
        counting.FAMILY, dimension, *_days(query.from_, query.to), shards=counting.SHARDS
    )
    splits = counting.split_figures(merge_amounts(list(read.buckets.values())))

    def shaped(split: str) -> api.Figures:
        figures = splits[split]
        return api.Figures(
            count=figures.count,
            mean=figures.mean,
            distribution=figures.distribution,
            score=figures.score,
        )

    overall = shaped("all")
    return api.FeedbackSummary(
        **overall.model_dump(),
        by_promise={"kept": shaped("kept"), "broken": shaped("broken")},
        by_delay_notice={
            "announced": shaped("announced"),
            "not_announced": shaped("not_announced"),
        },
        items_read=read.items_read,
    )


def _product_ranking(counters: CounterStore, query: api.RangeQuery) -> api.ProductRanking:
    read = counters.read(
        counting.FAMILY, counting.PRODUCTS, *_days(query.from_, query.to), shards=counting.SHARDS
    )
    ranked = counting.rank_products(merge_amounts(list(read.buckets.values())))
    return api.ProductRanking(
        products=[api.ProductFiguresView(sku=p.sku, count=p.count, mean=p.mean) for p in ranked],
        items_read=read.items_read,
    )
