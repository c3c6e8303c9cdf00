"""The acknowledgement of a withdrawal declaration: the sender's use case for its outbox message.

It goes to the address the consumer gave, in the language they used, with what they declared
(name, order number, the items they chose) and the time of receipt in their zone with its
offset, signed with the shop's name — nothing read from the order. A copy goes to the merchant's
webhook (``withdrawal_received``). Each is claimed, sent and recorded once, as every
notification (services/notifications.py); the claims live in the declaration's partition, as
a declaration may name no order of this shop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.channels.base import ChannelRejected, ChannelUnavailable, Outgoing, Sender
from chalicelib.channels.render import format_date, render
from chalicelib.domain.channels import Channel
from chalicelib.domain.notifications import Delivery
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.withdrawals import WithdrawalRecord
from chalicelib.services.notifications import (
    CLAIM_LEASE_SECONDS,
    Report,
    UnprocessableNotification,
)
from chalicelib.store.notifications import NotificationLog, NotificationRecord
from chalicelib.store.withdrawals import WithdrawalStore

MESSAGE_TYPE = "withdrawal_received"


@dataclass(frozen=True)
class AcknowledgementContext:
    withdrawals: WithdrawalStore
    log: NotificationLog
    sender_for: Callable[[Channel], Sender]
    merchant_webhook: bool
    shop_name: str
    now: Callable[[], datetime]


def acknowledge(ctx: AcknowledgementContext, message: OutboxMessage) -> Report:
    """Send the acknowledgement (unless the address had its daily share) and the merchant's
    copy; raise the first failed channel's error when a retry is owed."""
    record = ctx.withdrawals.get(message.withdrawal_id or "")
    if record is None:
        raise UnprocessableNotification(f"withdrawal {message.withdrawal_id} not found")
    report = Report(message_type=MESSAGE_TYPE)
    channels: list[Channel] = []
    if record.acknowledgement == "sent":
        channels.append("email")
    else:
        report.skipped.append(("email", "daily_limit"))
    if ctx.merchant_webhook:
        channels.append("webhook")
    rendered = render(MESSAGE_TYPE, record.language, context_of(record, ctx.shop_name))
    failed: Exception | None = None
    for channel in channels:
        try:
            _send(ctx, record, channel, rendered, report)
        except Exception as exc:  # the other channel still goes out; this one is retried
            failed = failed or exc
    if failed is not None:
        raise failed
    return report


def context_of(record: WithdrawalRecord, shop_name: str) -> dict[str, Any]:
    """The template's variables: what the consumer entered, the receipt, the shop."""
    d = record.declaration
    return {
        "name": d.name,
        "order_id": d.order_id,
        "email": d.email,
        "items": [{"sku": i.sku, "quantity": i.quantity} for i in d.items],
        "received_at": receipt_time(record.received_at, ZoneInfo(record.zone), record.language),
        "withdrawal_id": record.withdrawal_id,
        "shop_name": shop_name,
    }


def receipt_time(at: datetime, zone: ZoneInfo, lang: str) -> str:
    """ "Dienstag, 8. Dezember 2026, 14:05 Uhr (UTC+01:00)": the date, the time and its offset."""
    local = at.astimezone(zone)
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}"
    day = f"{format_date(local.date(), lang)} {local.year}"
    clock = f"{local:%H:%M} Uhr" if lang == "de" else f"{local:%H:%M}"
    return f"{day}, {clock} ({offset})"


def _send(
    ctx: AcknowledgementContext,
    record: WithdrawalRecord,
    channel: Channel,
    rendered: Any,
    report: Report,
) -> None:
    now = ctx.now()
    delivery = Delivery(
        channel=channel,
        message_type=MESSAGE_TYPE,
        dedup_key=f"{MESSAGE_TYPE}#{record.withdrawal_id}#{channel}",
        send_at=now,
        locale=record.language,
        order_id=record.declaration.order_id,
        withdrawal_id=record.withdrawal_id,
    )
    noted = NotificationRecord(MESSAGE_TYPE, channel, None, rendered.locale)
    key = record.withdrawal_id
    claim = ctx.log.claim(key, delivery.dedup_key, noted, now, CLAIM_LEASE_SECONDS)
    if claim.outcome in ("sent", "skipped"):
        report.already_sent.append(channel)
        return
    if claim.outcome == "busy" or claim.token is None:
        raise ChannelUnavailable(f"{channel}: being sent by another delivery")
    address = record.declaration.email if channel == "email" else None
    try:
        provider_id = ctx.sender_for(channel).send(Outgoing(delivery, rendered, address))
    except ChannelRejected:
        ctx.log.release(key, delivery.dedup_key, claim.token)
        ctx.log.record_skip(key, delivery.dedup_key, noted, "rejected_by_provider", now)
        report.skipped.append((channel, "rejected_by_provider"))
        return
    except ChannelUnavailable as exc:
        if not exc.ambiguous:
            ctx.log.release(key, delivery.dedup_key, claim.token)
        raise
    except Exception:
        ctx.log.release(key, delivery.dedup_key, claim.token)
        raise
    ctx.log.mark_sent(key, delivery.dedup_key, claim.token, now, provider_id)
    report.sent.append(channel)
