"""The withdrawal records as the API answers them."""

from __future__ import annotations

import hashlib
import json

from chalicelib.domain.withdrawals import Declaration, WithdrawalRecord, WithdrawnItem
from chalicelib.models import withdrawals as api


def declaration_of(request: api.WithdrawalRequest) -> Declaration:
    return Declaration(
        name=request.name,
        order_id=request.order_id,
        email=request.email,
        items=tuple(WithdrawnItem(i.sku, i.quantity) for i in request.items or ()),
        locale=request.locale,
    )


def body_hash(request: api.WithdrawalRequest) -> str:
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def receipt(record: WithdrawalRecord) -> api.WithdrawalReceipt:
    return api.WithdrawalReceipt(withdrawal_id=record.withdrawal_id, received_at=record.received_at)


def withdrawal_view(record: WithdrawalRecord) -> api.WithdrawalView:
    d, p = record.declaration, record.period
    return api.WithdrawalView(
        withdrawal_id=record.withdrawal_id,
        received_at=record.received_at,
        name=d.name,
        order_id=d.order_id,
        email=d.email,
        items=[api.WithdrawnItemModel(sku=i.sku, quantity=i.quantity) for i in d.items],
        locale=d.locale,
        matched=record.matched,
        period=None
        if p is None
        else api.PeriodView(
            state=p.state, days=p.days, delivered_at=p.delivered_at, ends_on=p.ends_on
        ),
        acknowledgement=record.acknowledgement,
        retain_until=record.retain_until,
        return_id=record.return_id,
    )


def withdrawal_list(records: list[WithdrawalRecord]) -> api.WithdrawalList:
    return api.WithdrawalList(withdrawals=[withdrawal_view(r) for r in records])
