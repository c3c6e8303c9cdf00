"""A webhook with many events: one read and a transaction or few per parcel, the same outcome as
one webhook per event (counts, stored events, outbox records), also when another delivery races
it."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import deps
from tests.api.factories import body_of
from tests.api.test_webhooks import (
    DHL,
    given_order_shipped_with,
    post_generic,
    shipment_of,
    table_items,
)

START = datetime(2026, 12, 21, 20, tzinfo=UTC)
OTHER = "JJD000390007283461"  # a second parcel, on order 1002


def scan(n: int, status: str, minutes: int, parcel: str = DHL) -> dict[str, Any]:
    return {
        "event_id": f"evt-{n}",
        "carrier": "dhl",
        "tracking_number": parcel,
        "status": status,
        "occurred_at": (START + timedelta(minutes=minutes)).isoformat(),
        "location": f"Hub {n}",
    }


def backlog(parcel: str = DHL) -> list[dict[str, Any]]:
    """A scan outage's backlog: 99 hub scans, then the delivery (100 events, one parcel)."""
    scans = [scan(n, "in_transit", 15 * n, parcel) for n in range(99)]
    return [*scans, scan(99, "delivered", 15 * 99, parcel)]


def a_turbulent_day(parcel: str = DHL) -> list[dict[str, Any]]:
    """Statuses that change back and forth, shuffled: every step announces something."""
    steps = ["info_received", "in_transit", "exception", "in_transit", "out_for_delivery",
             "failed_attempt", "out_for_delivery", "delivered"]  # fmt: skip
    events = [scan(n, status, 60 * n, parcel) for n, status in enumerate(steps)]
    random.Random(7).shuffle(events)
    return events


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """The DynamoDB operations the app's client makes inside the block, by name."""
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    events = deps.dynamodb().meta.events
    events.register("after-call.dynamodb", count)
    try:
        yield calls
    finally:
        events.unregister("after-call.dynamodb", count)


def announced(order_id: str) -> list[str]:
    """The order's outbox records (message id and revision), with the order id left out."""
    records = table_items(f"OUTBOX#{order_id}")
    return sorted(str(r["SK"]).replace(f"#{order_id}#", "#<order>#") for r in records)


def stored_event_ids(order_id: str) -> list[str]:
    return sorted(
        str(i["SK"]).rsplit("#", 1)[1]
        for i in table_items("EVENT#")
        if i["PK"] == f"ORDER#{order_id}"
    )


def facts(order_id: str) -> list[tuple[str, str]]:
    """The facts the order's events left for the counters (the delivered parcel's)."""
    return sorted(
        (str(i["PK"]).replace(f"#{order_id}#", "#<order>#"), str(i["payload"]))
        for i in table_items("FACT#")
        if f"#{order_id}#" in str(i["PK"])
    )


def revision(order_id: str) -> int:
    (order,) = [i for i in table_items(f"ORDER#{order_id}") if i["SK"] == "ORDER"]
    return int(order["revision"])


def test_a_hundred_events_for_one_parcel_cost_one_read_and_at_most_three_transactions(
    client: Any,
) -> None:
    given_order_shipped_with(client, DHL)
    before = revision("1001")

    with dynamodb_calls() as calls:
        response = post_generic(client, backlog())

    assert body_of(response)["accepted"] == 100
    # Each event writes two items (its id seen, with a TTL, and its place in the timeline):
    # nothing of it grows the order item.
    assert calls["GetItem"] == 1
    assert 1 <= calls["TransactWriteItems"] <= 3
    assert set(calls) == {"GetItem", "TransactWriteItems"}
    assert stored_event_ids("1001") == sorted(f"evt-{n}" for n in range(100))
    assert revision("1001") == before + 100  # one revision per event, as one webhook each
    assert shipment_of(client)["status"] == "delivered"


def test_a_new_scan_costs_a_read_and_a_write_and_a_repeat_no_write(client: Any) -> None:
    # The parcel's seen event ids are items of their own, not in the order: a scan newer than
    # all the parcel has seen cannot be a repeat, the newest one again is known from the order,
    # and only an older one asks the parcel's timeline.
    given_order_shipped_with(client, DHL)
    post_generic(client, [scan(1, "in_transit", 0), scan(2, "in_transit", 60)])

    with dynamodb_calls() as new:
        assert body_of(post_generic(client, [scan(3, "out_for_delivery", 120)]))["accepted"] == 1
    with dynamodb_calls() as newest_again:
        assert body_of(post_generic(client, [scan(3, "out_for_delivery", 120)]))["duplicates"] == 1
    with dynamodb_calls() as older_again:
        assert body_of(post_generic(client, [scan(1, "in_transit", 0)]))["duplicates"] == 1

    assert new == Counter({"GetItem": 1, "TransactWriteItems": 1})
    assert newest_again == Counter({"GetItem": 1})
    assert older_again == Counter({"GetItem": 1, "Query": 1})


@pytest.mark.parametrize("events", [backlog, a_turbulent_day], ids=["backlog", "turbulent"])
def test_one_webhook_announces_what_one_webhook_per_event_announces(
    client: Any, events: Callable[[str], list[dict[str, Any]]]
) -> None:
    given_order_shipped_with(client, DHL, "1001")
    given_order_shipped_with(client, OTHER, "1002")

    for event in events(DHL):
        assert body_of(post_generic(client, [event]))["accepted"] == 1
    answer = body_of(post_generic(client, events(OTHER)))

    assert answer["accepted"] == len(events(OTHER))
    assert announced("1002") == announced("1001")
    assert revision("1002") == revision("1001")
    due = {
        i["PK"]: i["GSI2SK"].split("#")[0] for i in table_items("ORDER#") if i["SK"] == "RATING_DUE"
    }
    assert due["ORDER#1002"] == due["ORDER#1001"]
    assert shipment_of(client, "1002")["events"] == shipment_of(client, "1001")["events"]
    assert facts("1002") == facts("1001") != []


def test_events_already_stored_or_repeated_in_the_batch_are_counted_as_duplicates_once(
    client: Any,
) -> None:
    # Given three of a day's events stored, on order 1001 and (one webhook each) on order 1002
    given_order_shipped_with(client, DHL, "1001")
    given_order_shipped_with(client, OTHER, "1002")
    day, other_day = a_turbulent_day(DHL), a_turbulent_day(OTHER)
    post_generic(client, day[:3])
    for event in other_day[:3]:
        post_generic(client, [event])

    # When all eight come in one webhook, two of them twice
    answer = body_of(post_generic(client, [*day, day[5], day[0]]))

    # Then exactly the five new ones are accepted, and announced as one webhook each would
    assert (answer["accepted"], answer["duplicates"]) == (5, 5)
    for event in [*other_day, other_day[5], other_day[0]]:
        post_generic(client, [event])
    assert stored_event_ids("1001") == sorted(e["event_id"] for e in day)
    assert announced("1001") == announced("1002")
    assert body_of(post_generic(client, [*day, day[5]]))["duplicates"] == 9


def test_a_batch_for_several_parcels_and_an_unknown_one_moves_each_order(client: Any) -> None:
    given_order_shipped_with(client, DHL, "1001")
    given_order_shipped_with(client, OTHER, "1002")
    events = [
        scan(1, "in_transit", 0, DHL),
        scan(1, "in_transit", 0, OTHER),
        scan(1, "in_transit", 0, "NOBODYS-PARCEL"),
        scan(2, "delivered", 90, DHL),
        scan(1, "in_transit", 0, OTHER),  # the same event again
        scan(2, "out_for_delivery", 60, OTHER),
        scan(2, "in_transit", 5, "NOBODYS-PARCEL"),
    ]

    with dynamodb_calls() as calls:
        answer = body_of(post_generic(client, events))

    assert answer == {
        "accepted": 4,
        "duplicates": 1,
        "unknown_tracking_numbers": ["NOBODYS-PARCEL"],
        "skipped": {"unknown_tracking_number": 2},
    }
    assert calls["TransactWriteItems"] == 2  # one per known parcel
    assert stored_event_ids("1001") == stored_event_ids("1002") == ["evt-1", "evt-2"]
    assert shipment_of(client, "1001")["status"] == "delivered"
    assert shipment_of(client, "1002")["status"] == "out_for_delivery"


def test_a_delivery_racing_the_batch_between_its_transactions_loses_nothing(client: Any) -> None:
    # Given a backlog that needs three transactions, and a carrier that delivers four events
    # (three of the last one's, and one of its own) just before the second one commits
    given_order_shipped_with(client, DHL)
    events = backlog()
    racing = [*events[96:99], scan(500, "in_transit", 15 * 97 + 1)]
    transactions: list[int] = []

    def another_delivery(**_: Any) -> None:
        transactions.append(1)
        if len(transactions) == 2:
            assert body_of(post_generic(client, racing))["accepted"] == 4

    client_events = deps.dynamodb().meta.events
    client_events.register("before-call.dynamodb.TransactWriteItems", another_delivery)
    try:
        # When the backlog comes in
        answer = body_of(post_generic(client, events))
    finally:
        client_events.unregister("before-call.dynamodb.TransactWriteItems", another_delivery)

    # Then the three are duplicates, every other event is accepted, and nothing is lost: the
    # timeline keeps the parcel's newest hundred (evt-0 is the oldest of 101)
    assert (answer["accepted"], answer["duplicates"]) == (97, 3)
    assert stored_event_ids("1001") == sorted([*(f"evt-{n}" for n in range(1, 100)), "evt-500"])
    assert revision("1001") == 2 + 101  # registered, shipped; then one revision per event
    shipment = shipment_of(client)
    assert shipment["status"] == "delivered"
    assert len(shipment["events"]) == 100
    delivered = [
        r for r in announced("1001") if r.startswith("shipment_status#<order>#S1#delivered")
    ]
    assert len(delivered) == 1
