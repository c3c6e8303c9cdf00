"""Return use cases: request, merchant steps, the return parcel's carrier events, reads, figures.

Each use case reads, runs one pure rule of the returns domain, and commits the result with its
outbox record (and fact) in one conditional transaction; a lost race is retried on fresh state.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain import errors
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.returns import (
    DeliveredParcel,
    ItemCondition,
    Money,
    OrderForReturn,
    ParcelEvent,
    Resolution,
    ReturnableSku,
    ReturnLabel,
    ReturnLine,
    ReturnPolicy,
    ReturnRecord,
    ReturnStatus,
    Step,
    apply_parcel_event,
    check_exchange,
    check_repeat,
    check_request,
    figures,
    move,
    returnable,
)
from chalicelib.domain.returns.values import HistoryEntry
from chalicelib.domain.tracking import EventOutcome, SkipReason, TrackingEvent
from chalicelib.domain.tracking.plausibility import ParcelOnRecord, implausible
from chalicelib.models import returns as api
from chalicelib.services.retry import retrying
from chalicelib.store.counters import CounterStore
from chalicelib.store.orders import OrderRepository
from chalicelib.store.records import StoredOrder
from chalicelib.store.returns import IdempotencyKeyUsed, NewReturn, ReturnRepository

NOT_YOURS = "this token does not grant access to this return"


@dataclass(frozen=True)
class ReturnsContext:
    returns: ReturnRepository
    orders: OrderRepository
    counters: CounterStore
    policy: Callable[[], ReturnPolicy]
    now: Callable[[], datetime]


@dataclass(frozen=True)
class ReturnService:
    """The return use cases, wired to one container's context (``deps.return_service()``)."""

    ctx: ReturnsContext

    def request(
        self, order_id: str, request: api.ReturnRequest, idempotency_key: str | None
    ) -> tuple[api.ReturnView, bool]:
        """Open a return if the policy allows it; (view, created). The same Idempotency-Key
        with the same body answers the return it opened (created False); another body under
        the same key is a Conflict."""
        return _request(self.ctx, order_id, request, idempotency_key)

    def record_step(
        self, return_id: str, request: api.ReturnEventRequest
    ) -> tuple[api.ReturnView, bool]:
        """Move the return; (view, changed). The status it already has is answered as it is,
        so a retried step is harmless, unless it settles on other terms (Conflict); a step
        the lifecycle does not allow is IllegalTransition."""
        return retrying(lambda: _record_step(self.ctx, return_id, request))

    def record_parcel_event(self, event: TrackingEvent) -> EventOutcome | SkipReason:
        """Move the return whose parcel has this tracking number (webhooks call this for
        tracking numbers no outbound parcel has)."""
        return_id = self.ctx.returns.return_id_for_tracking(event.tracking_number)
        if return_id is None:
            return SkipReason.UNKNOWN_TRACKING_NUMBER
        return retrying(lambda: _record_parcel_event(self.ctx, return_id, event))

    def read(self, return_id: str) -> api.ReturnView:
        return return_view(_existing(self.ctx, return_id))

    def read_as_customer(self, return_id: str, authorize: Callable[[str], None]) -> api.ReturnView:
        """The return, once ``authorize`` has accepted the customer's token for its order.

        The token is bound to an order, not to a return, so the return is read first; a return
        that does not exist is refused as a token of another order is, with the same answer,
        and a token learns nothing about which returns exist.
        """
        record = self.ctx.returns.get(return_id)
        if record is None:
            raise errors.Forbidden(NOT_YOURS)
        try:
            authorize(record.order_id)
        except errors.Forbidden as exc:
            raise errors.Forbidden(NOT_YOURS) from exc
        return return_view(record)

    def returnable(self, stored: StoredOrder) -> tuple[ReturnableSku, ...]:
        """What the order's customer may still send back now, SKU by SKU (the return form's
        lines), judged by the same policy and ledger as a request."""
        delivered = _delivered_parcels(self.ctx, stored)
        order = OrderForReturn(
            _ordered(stored), delivered, self.ctx.returns.ledger(stored.order_id).returned
        )
        return returnable(self.ctx.policy(), order, self.ctx.now())

    def of_order(self, order_id: str) -> list[api.ReturnView]:
        """The order's returns, oldest first."""
        return [return_view(r) for r in self.ctx.returns.of_order(order_id)]

    def summary(self, first: date, last: date) -> SummaryRead:
        """The period's figures from the daily counters: one query per counter, no scan."""
        return _summary(self.ctx.counters, first, last)


def request_hash(request: api.ReturnRequest) -> str:
    # The credential is not part of what was asked for: merchant and customer may retry alike.
    body = request.model_dump(mode="json", exclude={"token"})
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_return_id() -> str:
    return "R" + secrets.token_hex(6).upper()


# -- request -------------------------------------------------------------------------------------
def _request(
    ctx: ReturnsContext, order_id: str, request: api.ReturnRequest, idempotency_key: str | None
) -> tuple[api.ReturnView, bool]:
    digest = request_hash(request)
    if idempotency_key is not None:
        replayed = _replay(ctx, order_id, idempotency_key, digest)
        if replayed is not None:
            return replayed, False
    stored = ctx.orders.get(order_id)
    if stored is None:
        raise errors.NotFound(f"order {order_id} not found")
    lines = tuple(ReturnLine(i.sku, i.quantity, i.reason, i.note) for i in request.items)
    delivered = _delivered_parcels(ctx, stored)
    return_id = new_return_id()

    def attempt() -> api.ReturnView:
        ledger = ctx.returns.ledger(order_id)
        now = ctx.now()
        order = OrderForReturn(_ordered(stored), delivered, ledger.returned, _offered(stored))
        check_request(ctx.policy(), order, lines, now)
        if request.exchange_sku is not None:
            check_exchange(order, lines, request.exchange_sku)
        record = ReturnRecord(
            return_id=return_id,
            order_id=order_id,
            status=ReturnStatus.REQUESTED,
            items=lines,
            resolution=Resolution(request.resolution, request.exchange_sku),
            requested_at=now,
            history=(HistoryEntry(ReturnStatus.REQUESTED, now, "request"),),
        )
        returned = dict(ledger.returned)
        for sku, quantity in record.quantities().items():
            returned[sku] = returned.get(sku, 0) + quantity
        idempotency = (order_id, idempotency_key, digest) if idempotency_key else None
        new = NewReturn(
            record, ledger, returned, _message(record, None, now), figures.return_requested(record),
            idempotency,
        )  # fmt: skip
        ctx.returns.create(new, now)
        return return_view(record)

    try:
        return retrying(attempt), True
    except IdempotencyKeyUsed:  # a concurrent request with the same key won the race
        assert idempotency_key is not None
        replayed = _replay(ctx, order_id, idempotency_key, digest)
        assert replayed is not None
        return replayed, False


def _replay(ctx: ReturnsContext, order_id: str, key: str, digest: str) -> api.ReturnView | None:
    used = ctx.returns.idempotency(order_id, key)
    if used is None:
        return None
    if used.body_hash != digest:
        raise errors.Conflict("this Idempotency-Key was used with another body")
    record = ctx.returns.get(used.return_id)
    assert record is not None  # written in the same transaction as the key
    return return_view(record)


def _ordered(stored: StoredOrder) -> dict[str, int]:
    ordered: dict[str, int] = {}
    for line in stored.order.items:
        ordered[line.sku] = ordered.get(line.sku, 0) + line.quantity
    return ordered


def _offered(stored: StoredOrder) -> dict[str, frozenset[str]]:
    """Per SKU, what the order's lines offer in exchange (a line without: its own SKU)."""
    offered: dict[str, frozenset[str]] = {}
    for line in stored.record.items:
        skus = frozenset(line.exchange_skus) or frozenset({line.sku})
        offered[line.sku] = offered.get(line.sku, frozenset()) | skus
    return offered


def _delivered_parcels(ctx: ReturnsContext, stored: StoredOrder) -> tuple[DeliveredParcel, ...]:
    """The order's delivered shipments, each with its first delivery scan (the window's start)."""
    delivered = [s for s in stored.shipments if s.status is not None and s.status == "delivered"]
    if not delivered:
        return ()
    first: dict[str, datetime] = {}
    for stored_event in ctx.orders.events(stored.order_id):
        event, shipment_id = stored_event.event, stored_event.shipment_id
        if event.status == "delivered":
            known = first.get(shipment_id)
            first[shipment_id] = min(known, event.occurred_at) if known else event.occurred_at
    parcels = []
    for shipment in delivered:
        quantities: dict[str, int] = {}
        for line in shipment.items:
            quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
        arrived = first.get(shipment.shipment_id) or shipment.last_event_at
        if arrived is not None:
            parcels.append(DeliveredParcel(arrived, quantities))
    return tuple(parcels)


def _message(record: ReturnRecord, previous: ReturnStatus | None, now: datetime) -> OutboxMessage:
    return OutboxMessage(
        message_id=OutboxMessage.make_id(
            "return_status", record.order_id, record.return_id, str(record.status)
        ),
        kind="return_status",
        order_id=record.order_id,
        return_id=record.return_id,
        status=str(record.status),
        previous=str(previous) if previous else None,
        occurred_at=now,
    )


# -- merchant steps ------------------------------------------------------------------------------
def _record_step(
    ctx: ReturnsContext, return_id: str, request: api.ReturnEventRequest
) -> tuple[api.ReturnView, bool]:
    record = _existing(ctx, return_id)
    if str(record.status) == request.status:
        check_repeat(record, _step(request))
        return return_view(record), False
    now = ctx.now()
    after = move(record, _step(request), now)
    facts = [figures.return_refunded(after, now)] if after.status == "refunded" else []
    ctx.returns.save(record, after, [_message(after, record.status, now)], facts, now)
    return return_view(after), True


def _existing(ctx: ReturnsContext, return_id: str) -> ReturnRecord:
    record = ctx.returns.get(return_id)
    if record is None:
        raise errors.NotFound(f"return {return_id} not found")
    return record


def _step(request: api.ReturnEventRequest) -> Step:
    label = request.label
    refund = request.refund
    return Step(
        status=ReturnStatus(request.status),
        note=request.note,
        reason=request.reason,
        label=ReturnLabel(label.carrier, label.tracking_number, label.label_url, label.qr_code)
        if label
        else None,
        conditions=tuple(ItemCondition(c.sku, c.condition) for c in request.conditions or ()),
        refund=Money(refund.amount, refund.currency) if refund else None,
        exchange_order_id=request.exchange_order_id,
    )


# -- the return parcel's carrier events ----------------------------------------------------------
def _record_parcel_event(
    ctx: ReturnsContext, return_id: str, event: TrackingEvent
) -> EventOutcome | SkipReason:
    record = _existing(ctx, return_id)
    now = ctx.now()
    # The same checks as an outbound parcel's: the label's carrier, nothing before the order was
    # placed. Not the return's request: that is when the merchant told us, which may come after
    # the customer handed the parcel in.
    carrier = record.label.carrier if record.label else None
    order = ctx.orders.get(record.order_id)
    since = order.record.placed_at if order else record.requested_at
    reason = implausible(event, ParcelOnRecord(carrier, since), now)
    if reason is not None:
        return reason
    parcel_event = ParcelEvent(event.event_id, str(event.status), event.occurred_at, event.location)
    after = apply_parcel_event(record, parcel_event, now)
    if after is None:
        return EventOutcome.DUPLICATE
    messages = [_message(after, record.status, now)] if after.status != record.status else []
    ctx.returns.save(record, after, messages, [], now)
    return EventOutcome.ACCEPTED


# -- views -------------------------------------------------------------------------------------
def return_view(record: ReturnRecord) -> api.ReturnView:
    conditions = {c.sku: c.condition for c in record.conditions}
    label = record.label
    return api.ReturnView(
        return_id=record.return_id,
        order_id=record.order_id,
        status=record.status.value,
        resolution=record.resolution.kind,
        exchange_sku=record.resolution.exchange_sku,
        items=[
            api.ReturnItemView(
                sku=i.sku,
                quantity=i.quantity,
                reason=i.reason,
                note=i.note,
                condition=conditions.get(i.sku),
            )
            for i in record.items
        ],
        requested_at=record.requested_at,
        history=[
            api.ReturnHistoryView(status=h.status.value, at=h.at, source=h.source, note=h.note)
            for h in record.history
        ],
        label=api.ReturnLabelModel(
            carrier=label.carrier,
            tracking_number=label.tracking_number,
            label_url=label.label_url,
            qr_code=label.qr_code,
        )
        if label
        else None,
        parcel_events=[
            api.ReturnParcelEventView.model_validate(
                {
                    "event_id": e.event_id,
                    "status": e.status,
                    "occurred_at": e.occurred_at,
                    "location": e.location,
                }
            )
            for e in sorted(record.parcel_events, key=lambda e: e.occurred_at, reverse=True)
        ],
        refund=api.Money(amount=record.refund.amount, currency=record.refund.currency)
        if record.refund
        else None,
        exchange_order_id=record.exchange_order_id,
        rejection_reason=record.rejection_reason,
    )


# -- figures -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SummaryRead:
    summary: api.ReturnsSummaryView
    items_read: int


def _summary(counters: CounterStore, first: date, last: date) -> SummaryRead:
    reads = {
        dimension: counters.read(figures.FAMILY, dimension, first.isoformat(), last.isoformat())
        for dimension in figures.DIMENSIONS
    }
    found = figures.summarize(
        reads[figures.ORDERS].buckets,
        reads[figures.REQUESTS].buckets,
        reads[figures.REFUND_DAYS].buckets,
    )
    view = api.ReturnsSummaryView.model_validate(
        {
            "count": found.count,
            "orders": found.orders,
            "rate": found.rate,
            "reasons": [{"reason": r.reason, "items": r.items} for r in found.reasons],
            "refunded": found.refunded,
            "median_days_to_refund": found.median_days_to_refund,
        }
    )
    return SummaryRead(view, sum(r.items_read for r in reads.values()))
