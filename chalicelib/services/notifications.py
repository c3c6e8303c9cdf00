"""The sender's use case: one queued outbox message → the messages it is worth, each sent once.

Read the order, let the domain plan decide (milestone, channels, quiet hours), render, then per
channel: claim the milestone's dedup key, send, record. A channel that must wait goes back on the
queue as a delayed copy; a provider that cannot take a message now fails the message, which SQS
hands again later — the claims make that repeat send only what is still owed.

One milestone on one channel (``NOTIFICATION#<dedup key>``, ``store/notifications.py``)::

    (none) --claim--> claimed --send ok, mark_sent--> sent
      ^                |  |
      |                |  +--refused for good: release, record_skip--> skipped
      +---release------+     (send surely failed: the retry may send at once)
      +---lease runs out (the sender died mid-send, or the answer timed out)

    (none) --record_skip (no address, not opted in)--> skipped

``claim`` succeeds only on no item or an expired claim, so a repeated delivery finds ``sent``,
``skipped`` or a live claim (``busy``: retried later) and sends nothing; ``mark_sent`` and
``release`` hold only with the claim's own token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from chalicelib.channels.base import ChannelRejected, ChannelUnavailable, Outgoing, Sender
from chalicelib.channels.render import TemplateMissing, context_for, render
from chalicelib.domain.feedback.links import rating_page_url
from chalicelib.domain.notifications import (
    Channel,
    Delivery,
    NotificationPolicy,
    OrderSnapshot,
    Plan,
    Recipient,
    ShipmentSnapshot,
    plan,
)
from chalicelib.domain.orders import ShipmentEvent
from chalicelib.domain.orders.estimate import estimated_delivery
from chalicelib.domain.outbox import QueuedNotification
from chalicelib.services import orders
from chalicelib.store.notifications import NotificationLog, NotificationRecord
from chalicelib.store.queue import NotificationQueue
from chalicelib.store.records import CustomerRecord, DestinationRecord, StoredOrder

# Longer than a sender invocation may run (.chalice/config.json: 60 s), so that a claim outlives
# the send it guards; a sender that died keeps the milestone blocked this long at most.
CLAIM_LEASE_SECONDS = 180


class UnprocessableNotification(Exception):
    """The message can never be sent as it is (unknown order, a type without templates).

    It fails like any other, so after the queue's retries it rests in the dead-letter queue.
    """


@dataclass(frozen=True)
class NotificationContext:
    orders: orders.Context
    log: NotificationLog
    # Built when a message waits for its channel's quiet hours: most sends never need the queue,
    # and its client would cost the sender's cold start about 100 ms.
    queue: Callable[[], NotificationQueue]
    sender_for: Callable[[Channel], Sender]  # channels are built on first use
    policy: NotificationPolicy
    shop_name: str = ""


@dataclass
class Report:
    message_type: str | None = None
    sent: list[Channel] = field(default_factory=list)
    already_sent: list[Channel] = field(default_factory=list)
    skipped: list[tuple[Channel | None, str]] = field(default_factory=list)
    deferred: list[Channel] = field(default_factory=list)


def handle(ctx: NotificationContext, queued: QueuedNotification) -> Report:
    """Send what ``queued`` is worth; raise the first failed channel's error when a retry is owed
    (after the other channels went out and any waiting ones were re-queued)."""
    message = queued.message
    stored = ctx.orders.repository.get(message.order_id)
    if stored is None:
        raise UnprocessableNotification(f"order {message.order_id} not found")
    view = snapshot(ctx.orders, stored)
    now = ctx.orders.now()
    decided = plan(message, view, now, ctx.policy)
    report = Report(message_type=decided.message_type)
    wanted = set(queued.channels) if queued.channels is not None else None
    _record_skips(ctx, message.order_id, decided, wanted, now, report)
    deliveries = [d for d in decided.deliveries if wanted is None or d.channel in wanted]
    due = [d for d in deliveries if d.send_at <= now]
    later = [d for d in deliveries if d.send_at > now]
    failed: Exception | None = None
    for delivery in due:
        try:
            _send(ctx, view, delivery, report)
        except UnprocessableNotification:
            raise
        except Exception as exc:  # the other channels still go out now; this one is retried
            failed = failed or exc
    if later:
        _defer(ctx, queued, later, now, report)
    if failed is not None:
        raise failed
    return report


def snapshot(ctx: orders.Context, stored: StoredOrder) -> OrderSnapshot:
    """The stored order as the planning rules and templates see it."""
    record = stored.record
    latest, first_delivered = _events_by_shipment(ctx, stored.order_id)
    estimate = ctx.estimate_for(stored)
    shipments = []
    for shipment in stored.shipments:
        last = latest.get(shipment.shipment_id)
        status = shipment.status.value if shipment.status else None
        shipments.append(
            ShipmentSnapshot(
                shipment_id=shipment.shipment_id,
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                status=status,
                estimated_delivery=estimated_delivery(
                    shipment, stored.order.zone, ctx.now(), estimate
                ),
                # The first delivery scan, not the newest scan: a later scan of a delivered
                # parcel must not change which parcel completed the order.
                delivered_at=first_delivered.get(shipment.shipment_id)
                if status == "delivered"
                else None,
                location=last.location if last else None,
            )
        )
    return OrderSnapshot(
        order_id=stored.order_id,
        status=stored.order.status.value,
        recipient=_recipient(record.customer, record.destination),
        tracking_url=orders.tracking_url(ctx, stored),
        shipments=tuple(shipments),
        promise_state=stored.order.promise_state.value,
        promised_earliest=stored.order.window.earliest,
        promised_latest=stored.order.window.latest,
        rating_url=rating_page_url(
            ctx.public_base_url, orders.customer_token(ctx, stored), stored.order_id
        ),
    )


def _recipient(customer: CustomerRecord | None, destination: DestinationRecord | None) -> Recipient:
    country = destination.country if destination else None
    if customer is None:  # read from a tracking copy: nobody to address
        return Recipient.of(name="", country=country)
    return Recipient.of(**asdict(customer), country=country)


def _events_by_shipment(
    ctx: orders.Context, order_id: str
) -> tuple[dict[str, ShipmentEvent], dict[str, datetime]]:
    """Per shipment: its newest event, and when it was first scanned as delivered."""
    latest: dict[str, ShipmentEvent] = {}
    delivered: dict[str, datetime] = {}
    for stored in ctx.repository.events(order_id):
        shipment_id, event = stored.shipment_id, stored.event
        known = latest.get(shipment_id)
        if known is None or event.occurred_at > known.occurred_at:
            latest[shipment_id] = event
        if event.status == "delivered":
            first = delivered.get(shipment_id)
            delivered[shipment_id] = min(first, event.occurred_at) if first else event.occurred_at
    return latest, delivered


def _record_skips(
    ctx: NotificationContext,
    order_id: str,
    decided: Plan,
    wanted: set[Channel] | None,
    now: datetime,
    report: Report,
) -> None:
    for skip in decided.skips:
        if wanted is not None and skip.channel not in wanted:
            continue
        report.skipped.append((skip.channel, skip.reason))
        if skip.channel is not None and skip.dedup_key and decided.message_type:
            ctx.log.record_skip(
                order_id,
                skip.dedup_key,
                NotificationRecord(decided.message_type, skip.channel, None, None),
                skip.reason,
                now,
            )


def _send(
    ctx: NotificationContext, view: OrderSnapshot, delivery: Delivery, report: Report
) -> None:
    try:
        rendered = render(
            delivery.message_type,
            delivery.locale,
            context_for(view, delivery, shop_name=ctx.shop_name),
        )
    except TemplateMissing as exc:
        raise UnprocessableNotification(str(exc)) from exc
    record = NotificationRecord(
        delivery.message_type, delivery.channel, delivery.shipment_id, rendered.locale
    )
    now = ctx.orders.now()
    claim = ctx.log.claim(delivery.order_id, delivery.dedup_key, record, now, CLAIM_LEASE_SECONDS)
    if claim.outcome in ("sent", "skipped"):
        report.already_sent.append(delivery.channel)
        return
    if claim.outcome == "busy" or claim.token is None:
        # Another delivery of this message is sending it right now; check again later.
        raise ChannelUnavailable(f"{delivery.channel}: being sent by another delivery")
    address = view.recipient.address(delivery.channel) if delivery.channel != "webhook" else None
    try:
        provider_id = ctx.sender_for(delivery.channel).send(Outgoing(delivery, rendered, address))
    except ChannelRejected:
        ctx.log.release(delivery.order_id, delivery.dedup_key, claim.token)
        ctx.log.record_skip(
            delivery.order_id, delivery.dedup_key, record, "rejected_by_provider", now
        )
        report.skipped.append((delivery.channel, "rejected_by_provider"))
        return
    except ChannelUnavailable as exc:
        if not exc.ambiguous:  # surely not sent: the retry may send at once
            ctx.log.release(delivery.order_id, delivery.dedup_key, claim.token)
        raise
    except Exception:
        ctx.log.release(delivery.order_id, delivery.dedup_key, claim.token)
        raise
    ctx.log.mark_sent(delivery.order_id, delivery.dedup_key, claim.token, now, provider_id)
    report.sent.append(delivery.channel)


def _defer(
    ctx: NotificationContext,
    queued: QueuedNotification,
    later: list[Delivery],
    now: datetime,
    report: Report,
) -> None:
    """Put the waiting channels back on the queue, delayed as far as SQS allows (15 minutes).

    A longer wait (an SMS at 23:00 waits until 08:00) takes several hops; each re-plans, so news
    that went stale overnight (the parcel arrived) is dropped instead of sent.
    """
    channels = tuple(sorted({d.channel for d in later}))
    wait = min(d.send_at for d in later) - now
    copy = QueuedNotification(message=queued.message, channels=channels)
    ctx.queue().send_later(copy.model_dump_json(), int(wait.total_seconds()) + 1)
    report.deferred.extend(channels)


def retry_delay(attempt: int) -> int:
    """Seconds before a message whose channel was unavailable is tried again: 30 s, doubling.

    Five receives (the queue's maxReceiveCount) span about a quarter of an hour of outage before
    the message rests in the dead-letter queue.
    """
    return int(min(900, 30 * 2 ** max(0, attempt - 1)))
