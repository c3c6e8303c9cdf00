"""Which outbox messages are milestones worth telling the customer about, and as which type.

The rules are data: adding a message type is one entry in RULES plus its templates. A rule is
looked up by (kind, status); ANY_STATUS matches a kind whatever its status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.notifications.snapshot import OrderSnapshot, ShipmentSnapshot
from chalicelib.domain.notifications.values import Channel, Skip, SkipReason
from chalicelib.domain.outbox import OutboxKind, OutboxMessage

ANY_STATUS = "*"
FIRST_DEPARTURE: frozenset[str | None] = frozenset({None, "info_received"})


@dataclass(frozen=True, slots=True)
class Rule:
    message_type: str
    # Only when the previous status is one of these: "shipped" is the first departure, not a
    # parcel going back into transit after a failed delivery run.
    only_after: frozenset[str | None] | None = None
    # Once per order *and status*: at_risk and late are two pieces of news, both "delayed".
    per_status: bool = False
    # The type to use instead when the order came in several parcels (the last one arrived).
    split_type: str | None = None
    # Skip when this parcel's arrival completed the order: the order-level message says it.
    yields_to_order: bool = False


RULES: Mapping[tuple[OutboxKind, str], Rule] = {
    ("order_confirmed", ANY_STATUS): Rule("order_confirmed"),
    ("shipment_status", "in_transit"): Rule("shipped", only_after=FIRST_DEPARTURE),
    ("shipment_status", "out_for_delivery"): Rule("out_for_delivery"),
    ("shipment_status", "failed_attempt"): Rule("failed_attempt"),
    ("shipment_status", "available_for_pickup"): Rule("available_for_pickup"),
    ("shipment_status", "delivered"): Rule("delivered", yields_to_order=True),
    ("order_status", "delivered"): Rule("delivered", split_type="all_delivered"),
    ("promise_state", "at_risk"): Rule("delayed", per_status=True),
    ("promise_state", "late"): Rule("delayed", per_status=True),
    ("return_status", "received"): Rule("return_received"),
    ("return_status", "refunded"): Rule("refund_issued"),
    ("rating_reminder", ANY_STATUS): Rule("rating_reminder"),
    # The status is the rating: a rating changed to another low score is news again.
    ("low_rating", ANY_STATUS): Rule("low_rating", per_status=True),
}


def message_types() -> frozenset[str]:
    """Every type the rules can produce: each needs its templates."""
    plain = {rule.message_type for rule in RULES.values()}
    return frozenset(plain | {rule.split_type for rule in RULES.values() if rule.split_type})


@dataclass(frozen=True, slots=True)
class Milestone:
    message_type: str
    order_id: str
    shipment_id: str | None = None
    return_id: str | None = None
    variant: str | None = None

    @property
    def ref(self) -> str:
        return self.shipment_id or self.return_id or "-"


def dedup_key(milestone: Milestone, channel: Channel) -> str:
    """``order#shipment|return|-#type[:variant]#channel``: the same news on a channel, one key."""
    kind = milestone.message_type
    if milestone.variant:
        kind = f"{kind}:{milestone.variant}"
    return f"{milestone.order_id}#{milestone.ref}#{kind}#{channel}"


def find_rule(kind: OutboxKind, status: str | None) -> Rule | None:
    return RULES.get((kind, status or ANY_STATUS)) or RULES.get((kind, ANY_STATUS))


def milestone_for(message: OutboxMessage, order: OrderSnapshot) -> Milestone | Skip:
    """The milestone this message announces, or why it announces nothing."""
    rule = find_rule(message.kind, message.status)
    if rule is None:
        return Skip(None, "not_a_milestone")
    reason = _reason_to_skip(rule, message, order)
    if reason is not None:
        return Skip(None, reason)
    return _milestone(rule, message, order)


def _reason_to_skip(rule: Rule, message: OutboxMessage, order: OrderSnapshot) -> SkipReason | None:
    if rule.only_after is not None and message.previous not in rule.only_after:
        return "repeated_milestone"
    if message.kind == "shipment_status" and order.shipment(message.shipment_id) is None:
        return "unknown_shipment"
    # Messages can be processed late (retries, a backlog): news the order has moved past since
    # (out for delivery, but delivered by now) would only confuse.
    if _current_status(message, order) not in (None, message.status):
        return "superseded"
    if rule.yields_to_order and _completes_order(message, order):
        return "covered_by_order_delivered"
    return None


def _current_status(message: OutboxMessage, order: OrderSnapshot) -> str | None:
    """The status the view holds now for what the message is about; None where it holds none."""
    if message.kind == "shipment_status":
        shipment = order.shipment(message.shipment_id)
        return shipment.status if shipment else None
    if message.kind == "promise_state":
        return order.promise_state
    if message.kind == "order_status":
        return order.status
    return None


def _completes_order(message: OutboxMessage, order: OrderSnapshot) -> bool:
    """Whether this parcel's arrival made the order delivered (no other parcel arrived later).

    Decided from event times, not from when the message is processed, so a retry decides the same.
    """
    if order.status != "delivered":
        return False
    others = (s for s in order.shipments if s.shipment_id != message.shipment_id)
    return all(_delivered_by(s, message.occurred_at) for s in others)


def _delivered_by(shipment: ShipmentSnapshot, instant: datetime) -> bool:
    # Without a delivery time a parcel counts as earlier: at worst the "all delivered" message
    # stands in for this parcel's own one, never both go out.
    arrived = shipment.delivered_at
    return shipment.status == "delivered" and (arrived is None or arrived <= instant)


def _milestone(rule: Rule, message: OutboxMessage, order: OrderSnapshot) -> Milestone:
    variant = message.status if rule.per_status else None
    if rule.split_type is None:
        return Milestone(
            rule.message_type, order.order_id, message.shipment_id, message.return_id, variant
        )
    if order.is_split:
        return Milestone(rule.split_type, order.order_id, variant=variant)
    # One parcel carried the whole order: the message is about it, under the dedup key that
    # parcel's own "delivered" would have had, so the two can never both go out.
    only = order.shipments[0].shipment_id if order.shipments else None
    return Milestone(rule.message_type, order.order_id, only, variant=variant)
