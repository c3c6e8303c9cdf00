"""Withdrawal use cases: record a declaration (matched to its order or not), read them, and open
the return a matched one becomes. They return records; the views (withdrawal_views.py) shape
the API's answers and the pages.

A declaration is recorded, with the outbox record of its acknowledgement, in one transaction:
nothing says "received" before it is written, and every declaration is kept, whether or not
order number and address name an order of this shop.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain import errors
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.page_language import page_language
from chalicelib.domain.returns import (
    Resolution,
    ReturnRecord,
    ReturnStatus,
    figures,
)
from chalicelib.domain.returns.values import HistoryEntry
from chalicelib.domain.withdrawals import (
    DUPLICATE_WINDOW,
    Declaration,
    Period,
    WithdrawalRecord,
    fingerprint,
    matches,
    period,
    retain_until,
    return_lines,
)
from chalicelib.services.retry import retrying
from chalicelib.services.returns import new_return_id
from chalicelib.store.orders import OrderRepository
from chalicelib.store.records import StoredOrder
from chalicelib.store.returns import IdempotencyKeyUsed, NewReturn, ReturnRepository
from chalicelib.store.withdrawals import (
    AcknowledgementLimitReached,
    DuplicateDeclaration,
    NewWithdrawal,
    WithdrawalKeyUsed,
    WithdrawalStore,
)

RETURN_KEY_SCOPE = "withdrawal"  # the return's Idempotency-Key: one return per declaration


@dataclass(frozen=True)
class WithdrawalRules:
    period_days: int
    retention_days: int
    daily_acknowledgements: int
    time_zone: str  # a receipt for a declaration that names no order of this shop


@dataclass(frozen=True)
class WithdrawalsContext:
    withdrawals: WithdrawalStore
    orders: OrderRepository
    returns: ReturnRepository
    rules: WithdrawalRules
    now: Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Declared:
    record: WithdrawalRecord
    created: bool  # False: the same declaration (or Idempotency-Key) was recorded before


def new_withdrawal_id() -> str:
    return "W" + secrets.token_hex(6).upper()


@dataclass(frozen=True)
class WithdrawalService:
    ctx: WithdrawalsContext

    def declare(
        self, declaration: Declaration, key: str | None = None, body_hash: str = ""
    ) -> Declared:
        """Record the declaration; the same one within the hour, or a repeated
        Idempotency-Key with the same body, answers the first (another body: Conflict).
        NotRecorded when the table could not take it."""
        try:
            return self._declare(declaration, key, body_hash)
        except (ClientError, BotoCoreError) as exc:  # throttled, down, unreachable
            raise errors.NotRecorded(f"the declaration was not recorded: {_code(exc)}") from exc

    def _declare(self, declaration: Declaration, key: str | None, body_hash: str) -> Declared:
        ctx = self.ctx
        if key is not None:
            replayed = self._replay(key, body_hash)
            if replayed is not None:
                return replayed
        now = ctx.now()
        digest = fingerprint(declaration)
        earlier = ctx.withdrawals.duplicate_of(digest, now)
        if earlier is not None:
            return Declared(self.read(earlier), False)
        record = _record(ctx, declaration, now)
        new = NewWithdrawal(
            record, digest, now + DUPLICATE_WINDOW, _message(record),
            ctx.rules.daily_acknowledgements, (key, body_hash) if key is not None else None,
        )  # fmt: skip
        try:
            try:
                ctx.withdrawals.create(new)
            except AcknowledgementLimitReached:
                # Still recorded, and the merchant still told: only the customer's mail waits.
                record = replace(record, acknowledgement="limited")
                new = replace(new, record=record, message=_message(record))
                ctx.withdrawals.create(new)
        except DuplicateDeclaration:  # a concurrent copy committed first
            earlier = ctx.withdrawals.duplicate_of(digest, now)
            if earlier is None:
                raise errors.Conflict("the declaration is being recorded; retry") from None
            return Declared(self.read(earlier), False)
        except WithdrawalKeyUsed:
            assert key is not None
            replayed = self._replay(key, body_hash)
            if replayed is None:
                raise errors.Conflict("the Idempotency-Key is being used; retry") from None
            return replayed
        return Declared(record, True)

    def read(self, withdrawal_id: str) -> WithdrawalRecord:
        record = self.ctx.withdrawals.get(withdrawal_id)
        if record is None:
            raise errors.NotFound(f"withdrawal {withdrawal_id} not found")
        return record

    def received_between(
        self, first: date, last: date, matched: bool | None = None
    ) -> list[WithdrawalRecord]:
        found = self.ctx.withdrawals.received_between(first, last)
        return [r for r in found if matched is None or r.matched == matched]

    def of_order(self, order_id: str) -> list[WithdrawalRecord]:
        return self.ctx.withdrawals.of_order(order_id)

    def open_return(self, withdrawal_id: str) -> tuple[ReturnRecord, bool]:
        """The return of the withdrawn items (reason withdrawal, resolution refund), opened
        once; (return, created). Not limited by the shop's return window."""
        ctx = self.ctx
        record = self.read(withdrawal_id)
        if not record.matched:
            raise errors.ReturnNotAllowed(
                "the declaration names no order of this shop",
                [{"loc": ["withdrawal"], "msg": "an unmatched declaration has no order"}],
            )
        existing = self._opened(record)
        if existing is not None:
            return existing, False
        try:
            opened = retrying(lambda: _open_return(ctx, record))
        except IdempotencyKeyUsed:  # a concurrent call opened it first
            again = self._opened(record)
            assert again is not None
            return again, False
        ctx.withdrawals.set_return(withdrawal_id, opened.return_id)
        return opened, True

    def _opened(self, record: WithdrawalRecord) -> ReturnRecord | None:
        returns = self.ctx.returns
        return_id = record.return_id
        if return_id is None:
            used = returns.idempotency(RETURN_KEY_SCOPE, record.withdrawal_id)
            if used is None:
                return None
            return_id = used.return_id
            self.ctx.withdrawals.set_return(record.withdrawal_id, return_id)
        return returns.get(return_id)

    def _replay(self, key: str, body_hash: str) -> Declared | None:
        used = self.ctx.withdrawals.used_key(key)
        if used is None:
            return None
        if used.body_hash != body_hash:
            raise errors.Conflict("this Idempotency-Key was used with another body")
        return Declared(self.read(used.withdrawal_id), False)


def _code(exc: ClientError | BotoCoreError) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


def _record(ctx: WithdrawalsContext, declaration: Declaration, now: datetime) -> WithdrawalRecord:
    stored = ctx.orders.get(declaration.order_id)
    customer = stored.record.customer if stored is not None else None
    matched = customer is not None and matches(declaration.email, customer.email)
    zone = ctx.rules.time_zone
    found: Period | None = None
    if matched and stored is not None and customer is not None:
        zone = customer.time_zone or stored.order.destination_zone
        found = _period(ctx, stored, now)
    return WithdrawalRecord(
        withdrawal_id=new_withdrawal_id(),
        declaration=declaration,
        received_at=now,
        matched=matched,
        period=found,
        zone=zone,
        # The language the consumer used; for a matched order without one, the order's.
        language=page_language(
            declaration.locale, customer.locale if customer and matched else None
        ),
        acknowledgement="sent",
        retain_until=retain_until(now, ctx.rules.retention_days),
    )


def _period(ctx: WithdrawalsContext, stored: StoredOrder, now: datetime) -> Period:
    """The order's deliveries as the data show them: each parcel's first delivery scan."""
    first: dict[str, datetime] = {}
    for logged in ctx.orders.events(stored.order_id):
        if logged.event.status == "delivered":
            known = first.get(logged.shipment_id)
            at = logged.event.occurred_at
            first[logged.shipment_id] = min(known, at) if known else at
    delivered = [
        first.get(s.shipment_id) or s.last_event_at
        if s.status is not None and s.status == "delivered"
        else None
        for s in stored.shipments
    ]
    return period(delivered, now, ctx.rules.period_days, stored.order.zone)


def _message(record: WithdrawalRecord) -> OutboxMessage:
    return OutboxMessage(
        message_id=OutboxMessage.make_id(
            "withdrawal_received", record.declaration.order_id, record.withdrawal_id, None
        ),
        kind="withdrawal_received",
        order_id=record.declaration.order_id,
        withdrawal_id=record.withdrawal_id,
        status=record.acknowledgement,
        occurred_at=record.received_at,
    )


def _open_return(ctx: WithdrawalsContext, record: WithdrawalRecord) -> ReturnRecord:
    order_id = record.declaration.order_id
    stored = ctx.orders.get(order_id)
    if stored is None:  # orders are never deleted; a matched declaration's order is there
        raise errors.NotFound(f"order {order_id} not found")
    ordered: dict[str, int] = {}
    for line in stored.record.items:
        ordered[line.sku] = ordered.get(line.sku, 0) + line.quantity
    ledger = ctx.returns.ledger(order_id)
    chosen = [(i.sku, i.quantity) for i in record.declaration.items]
    lines = return_lines(chosen, ordered, ledger.returned)
    now = ctx.now()
    opened = ReturnRecord(
        return_id=new_return_id(),
        order_id=order_id,
        status=ReturnStatus.REQUESTED,
        items=lines,
        resolution=Resolution("refund"),
        requested_at=now,
        history=(HistoryEntry(ReturnStatus.REQUESTED, now, "merchant", "withdrawal"),),
    )
    returned = dict(ledger.returned)
    for sku, quantity in opened.quantities().items():
        returned[sku] = returned.get(sku, 0) + quantity
    message = OutboxMessage(
        message_id=OutboxMessage.make_id("return_status", order_id, opened.return_id, "requested"),
        kind="return_status",
        order_id=order_id,
        return_id=opened.return_id,
        status="requested",
        occurred_at=now,
    )
    new = NewReturn(
        opened, ledger, returned, message, figures.return_requested(opened),
        (RETURN_KEY_SCOPE, record.withdrawal_id, RETURN_KEY_SCOPE),
    )  # fmt: skip
    ctx.returns.create(new, now)
    return opened
