"""Which outbox messages are milestones, as which type; the delivered rules of split orders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.notifications import (
    Milestone,
    OrderSnapshot,
    Skip,
    SkipReason,
    dedup_key,
    message_types,
    milestone_for,
    plan,
)
from chalicelib.domain.outbox import OutboxKind, OutboxMessage
from tests.unit.notifications.builders import NOW, message, order, shipment

T1, T2, T3 = NOW, NOW + timedelta(hours=5), NOW + timedelta(days=1)


def _current(
    kind: OutboxKind, status: str | None, previous: str | None = None
) -> tuple[OutboxMessage, OrderSnapshot]:
    """A message and the order as it is right after that change (the usual, prompt case)."""
    if kind == "shipment_status":
        return (
            message(kind, status, shipment_id="S1", previous=previous),
            order(shipment("S1", status), shipment("S2", "info_received")),
        )
    if kind == "promise_state":
        return message(kind, status), order(shipment("S1"), promise_state=status)
    return message(kind, status, return_id="R1" if kind == "return_status" else None), order()


@pytest.mark.parametrize(
    ("kind", "status", "previous", "expected"),
    [
        ("order_confirmed", None, None, "order_confirmed"),
        ("order_confirmed", "confirmed", None, "order_confirmed"),
        ("shipment_status", "in_transit", None, "shipped"),
        ("shipment_status", "in_transit", "info_received", "shipped"),
        ("shipment_status", "out_for_delivery", "in_transit", "out_for_delivery"),
        ("shipment_status", "failed_attempt", "out_for_delivery", "failed_attempt"),
        ("shipment_status", "available_for_pickup", "failed_attempt", "available_for_pickup"),
        ("shipment_status", "delivered", "out_for_delivery", "delivered"),
        ("promise_state", "at_risk", "on_track", "delayed"),
        ("promise_state", "late", "at_risk", "delayed"),
        ("return_status", "received", "in_transit", "return_received"),
        ("return_status", "refunded", "received", "refund_issued"),
    ],
)
def test_milestones_become_their_message_type(
    kind: OutboxKind, status: str | None, previous: str | None, expected: str
) -> None:
    # Given the message of a milestone and the order right after it
    msg, view = _current(kind, status, previous)
    # When it is classified
    found = milestone_for(msg, view)
    # Then it is worth a message of the expected type
    assert isinstance(found, Milestone)
    assert found.message_type == expected


@pytest.mark.parametrize(
    ("kind", "status", "previous", "reason"),
    [
        ("shipment_status", "info_received", None, "not_a_milestone"),
        ("shipment_status", "exception", "in_transit", "not_a_milestone"),
        ("shipment_status", "returned_to_sender", "exception", "not_a_milestone"),
        # back in transit after a delivery run is not a second "shipped"
        ("shipment_status", "in_transit", "out_for_delivery", "repeated_milestone"),
        ("shipment_status", "in_transit", "failed_attempt", "repeated_milestone"),
        ("shipment_status", "in_transit", "exception", "repeated_milestone"),
        ("promise_state", "on_track", "at_risk", "not_a_milestone"),
        ("promise_state", "kept", "on_track", "not_a_milestone"),
        ("promise_state", "broken", "late", "not_a_milestone"),
        ("order_status", "partially_shipped", "confirmed", "not_a_milestone"),
        ("order_status", "shipped", "partially_shipped", "not_a_milestone"),
        ("order_status", "partially_delivered", "shipped", "not_a_milestone"),
        ("order_status", "exception", "shipped", "not_a_milestone"),
        ("return_status", "requested", None, "not_a_milestone"),
        ("return_status", "approved", "requested", "not_a_milestone"),
        ("return_status", "label_created", "approved", "not_a_milestone"),
        ("return_status", "in_transit", "label_created", "not_a_milestone"),
        ("return_status", "rejected", "received", "not_a_milestone"),
    ],
)
def test_other_changes_send_nothing_and_say_why(
    kind: OutboxKind, status: str, previous: str | None, reason: SkipReason
) -> None:
    msg, view = _current(kind, status, previous)
    assert milestone_for(msg, view) == Skip(None, reason)
    result = plan(msg, view, NOW)
    assert result.message_type is None
    assert result.deliveries == ()
    assert result.skips == (Skip(None, reason),)


@pytest.mark.parametrize(
    ("msg", "view"),
    [
        # out for delivery, but the parcel has arrived by the time the message is processed
        (
            message("shipment_status", "out_for_delivery", shipment_id="S1"),
            order(shipment("S1", "delivered")),
        ),
        (
            message("shipment_status", "in_transit", shipment_id="S1"),
            order(shipment("S1", "out_for_delivery")),
        ),
        # at risk, but already late (the late message tells it) or back on track
        (message("promise_state", "at_risk"), order(promise_state="late")),
        (message("promise_state", "at_risk"), order(promise_state="on_track")),
        (message("promise_state", "late"), order(promise_state="kept", status="delivered")),
    ],
)
def test_news_the_order_has_moved_past_is_superseded(
    msg: OutboxMessage, view: OrderSnapshot
) -> None:
    assert milestone_for(msg, view) == Skip(None, "superseded")


def test_a_shipment_the_order_does_not_have_is_skipped() -> None:
    msg = message("shipment_status", "out_for_delivery", shipment_id="S9")
    assert milestone_for(msg, order(shipment("S1", "out_for_delivery"))) == Skip(
        None, "unknown_shipment"
    )


def test_the_rules_produce_exactly_the_documented_message_types() -> None:
    assert message_types() == {
        "order_confirmed",
        "shipped",
        "out_for_delivery",
        "delayed",
        "failed_attempt",
        "available_for_pickup",
        "delivered",
        "all_delivered",
        "return_received",
        "refund_issued",
        "rating_reminder",
        "low_rating",
    }


# --- delivered: one message per parcel of a split order, one "all delivered" at the end --------


def _delivered_emails(
    history: list[tuple[OutboxMessage, OrderSnapshot]],
) -> list[tuple[str, str | None]]:
    """Plan every message and list the delivered-type emails: (type, shipment)."""
    emails = []
    for msg, view in history:
        for d in plan(msg, view, NOW).deliveries:
            if d.channel == "email" and d.message_type in {"delivered", "all_delivered"}:
                emails.append((d.message_type, d.shipment_id))
    return emails


def test_single_shipment_order_sends_exactly_one_delivered_message() -> None:
    # Given a one-parcel order whose parcel arrived (the order is delivered with it)
    final = order(shipment("S1", "delivered", delivered_at=T1), status="delivered")
    history = [
        (message("shipment_status", "delivered", shipment_id="S1", occurred_at=T1), final),
        (message("order_status", "delivered", occurred_at=T1), final),
    ]
    # When both messages are planned
    # Then exactly one "delivered" goes out, from the order-level message, about the parcel
    assert _delivered_emails(history) == [("delivered", "S1")]
    assert milestone_for(*history[0]) == Skip(None, "covered_by_order_delivered")


def test_single_shipment_delivered_shares_the_parcel_key_so_it_can_never_go_twice() -> None:
    final = order(shipment("S1", "delivered", delivered_at=T1), status="delivered")
    order_level = plan(message("order_status", "delivered"), final, NOW).deliveries[0]
    parcel_level = dedup_key(Milestone("delivered", "1001", "S1"), "email")
    assert order_level.dedup_key == parcel_level == "1001#S1#delivered#email"


def _split_history(processed_late: bool) -> list[tuple[OutboxMessage, OrderSnapshot]]:
    s1_in, s2_on_way = shipment("S1", "delivered", delivered_at=T1), shipment("S2", "in_transit")
    s2_in = shipment("S2", "delivered", delivered_at=T2)
    after_first = order(s1_in, s2_on_way, status="partially_delivered")
    final = order(s1_in, s2_in, status="delivered")
    return [
        (
            message("shipment_status", "delivered", shipment_id="S1", occurred_at=T1),
            final if processed_late else after_first,
        ),
        (message("shipment_status", "delivered", shipment_id="S2", occurred_at=T2), final),
        (message("order_status", "delivered", occurred_at=T2), final),
    ]


@pytest.mark.parametrize("processed_late", [False, True], ids=["prompt", "backlog"])
def test_split_order_sends_one_per_parcel_and_one_all_delivered(processed_late: bool) -> None:
    # Given two parcels arriving hours apart, processed promptly or only after both arrived
    history = _split_history(processed_late)
    # Then the first parcel gets its own message and the last one is told by "all delivered"
    assert _delivered_emails(history) == [("delivered", "S1"), ("all_delivered", None)]


def test_three_parcels_two_own_messages_then_all_delivered() -> None:
    final = order(
        shipment("S1", "delivered", delivered_at=T1),
        shipment("S2", "delivered", delivered_at=T2),
        shipment("S3", "delivered", delivered_at=T3),
        status="delivered",
    )
    history = [
        (message("shipment_status", "delivered", shipment_id=sid, occurred_at=at), final)
        for sid, at in (("S1", T1), ("S2", T2), ("S3", T3))
    ] + [(message("order_status", "delivered", occurred_at=T3), final)]
    assert _delivered_emails(history) == [
        ("delivered", "S1"),
        ("delivered", "S2"),
        ("all_delivered", None),
    ]


def test_parcels_arriving_together_are_told_once_by_all_delivered() -> None:
    final = order(
        shipment("S1", "delivered", delivered_at=T1),
        shipment("S2", "delivered", delivered_at=T1),
        status="delivered",
    )
    history = [
        (message("shipment_status", "delivered", shipment_id="S1", occurred_at=T1), final),
        (message("shipment_status", "delivered", shipment_id="S2", occurred_at=T1), final),
        (message("order_status", "delivered", occurred_at=T1), final),
    ]
    assert _delivered_emails(history) == [("all_delivered", None)]


def test_a_parcel_of_a_not_yet_complete_order_gets_its_own_message() -> None:
    # One parcel so far, but the order is not complete (more items still to ship)
    view = order(shipment("S1", "delivered", delivered_at=T1), status="partially_delivered")
    msg = message("shipment_status", "delivered", shipment_id="S1", occurred_at=T1)
    found = milestone_for(msg, view)
    assert found == Milestone("delivered", "1001", "S1")
