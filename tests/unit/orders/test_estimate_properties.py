"""The expected delivery day and the promise state over scan histories, read at every quarter
hour of a week around DST changes and holidays: never before today, never before what the
latest scan allows, moving only when a day passes, and never contradicting the promise's state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.config.loader import load_config
from chalicelib.domain.orders import (
    OrderLine,
    OrderState,
    ParcelStatus,
    PromiseState,
    PromiseWindow,
    ShipmentEvent,
    ShipmentState,
    apply_events,
    estimated_delivery,
    evaluate_order,
)
from chalicelib.domain.promise.estimates import MethodDays, find_rule, transit_estimate
from tests.unit.orders.builders import BERLIN, shipment

WEEKS = [
    datetime(2026, 12, 20, tzinfo=BERLIN),  # Christmas: two holidays and a Sunday in a row
    datetime(2026, 3, 25, tzinfo=BERLIN),  # summer time starts on the 29th
    datetime(2026, 10, 21, tzinfo=BERLIN),  # summer time ends on the 25th
    datetime(2026, 4, 1, tzinfo=BERLIN),  # Good Friday and Easter Monday
]
QUARTER = timedelta(minutes=15)
WEEK = 7 * 24 * 4  # quarter hours
SAME_DAY = {ParcelStatus.OUT_FOR_DELIVERY, ParcelStatus.AVAILABLE_FOR_PICKUP}
TERMINAL = {ParcelStatus.DELIVERED, ParcelStatus.RETURNED_TO_SENDER}


def rules_of(key: str) -> MethodDays:
    rule = find_rule(load_config(), "", "", "", key=key)
    assert rule is not None
    days = transit_estimate(rule)
    assert isinstance(days, MethodDays)
    return days


@st.composite
def histories(draw: st.DrawFn) -> tuple[datetime, list[ShipmentEvent]]:
    """A week's start and a parcel's scans from two days before it to its end, some with the
    carrier's estimate (possibly one long past)."""
    start = draw(st.sampled_from(WEEKS)).astimezone(UTC)
    count = draw(st.integers(1, 5))
    events = []
    for n in range(count):
        quarters = draw(st.integers(-2 * 24 * 4, WEEK - 1))
        estimate = draw(st.none() | st.integers(-3, 12).map(lambda d: start.date() + timedelta(d)))
        events.append(
            ShipmentEvent(
                event_id=f"e{n}",
                status=draw(st.sampled_from(list(ParcelStatus))),
                occurred_at=start + quarters * QUARTER,
                estimated_delivery=estimate,
            )
        )
    return start, events


def clock(start: datetime, after: datetime) -> list[datetime]:
    """Every quarter hour of the week from ``start`` at or after ``after`` (the latest scan)."""
    return [t for q in range(WEEK) if (t := start + q * QUARTER) >= after]


def local_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


@settings(max_examples=120, derandomize=True)
@given(history=histories(), key=st.sampled_from(["standard-de", "next_day", "economy"]))
def test_the_expected_day_holds_at_every_quarter_hour(
    history: tuple[datetime, list[ShipmentEvent]], key: str
) -> None:
    start, events = history
    rules = rules_of(key)
    parcel = apply_events(shipment(), events)
    scan = max(e.occurred_at for e in events)
    latest_scan = parcel.last_scan_at
    assert latest_scan is not None and parcel.status is not None
    scan_day = local_day(latest_scan)
    with_latest_scan = (
        parcel.carrier_estimate is not None and parcel.carrier_estimate.occurred_at >= latest_scan
    )

    previous: tuple[date, date | None] | None = None
    for now in clock(start, scan):
        expected = estimated_delivery(parcel, BERLIN, now, rules)
        today = local_day(now)
        if parcel.status in TERMINAL:
            assert expected is None
            continue
        assert expected is not None
        # Never before today, never before the latest scan's day
        assert expected >= today and expected >= scan_day
        # Not on the scan's day either for a parcel not yet on the van or at the shop, unless
        # the carrier said so with that very scan
        if parcel.status not in SAME_DAY and not with_latest_scan:
            assert expected > scan_day
        # The carrier's day, or one the method delivers on (or today, for a parcel on the van)
        carrier = parcel.estimated_delivery
        assert (
            expected == carrier
            or rules.calendar.is_open(expected)
            or (parcel.status in SAME_DAY and expected == today == scan_day)
        )
        # It moves only when a day passes, and only later
        if previous is not None:
            day_before, expected_before = previous
            if day_before == today:
                assert expected == expected_before
            else:
                assert expected_before is not None and expected >= expected_before
        previous = (today, expected)


@settings(max_examples=60, derandomize=True)
@given(
    history=histories(),
    key=st.sampled_from(["standard-de", "next_day"]),
    last=st.integers(-2, 9),
    width=st.integers(0, 3),
)
def test_the_state_agrees_with_the_expected_day_and_waits_for_its_check(
    history: tuple[datetime, list[ShipmentEvent]], key: str, last: int, width: int
) -> None:
    start, events = history
    rules = rules_of(key)
    latest = local_day(start) + timedelta(days=last)
    window = PromiseWindow(latest - timedelta(days=width), latest)
    order = OrderState("1001", (OrderLine("TSHIRT", 1),), window, "Europe/Berlin")
    parcel: ShipmentState = apply_events(shipment(), events)
    moments = clock(start, max(e.occurred_at for e in events))

    checked = evaluate_order(order, [parcel], moments[0], estimate_from_rules=rules)
    for now in moments:
        evaluated = evaluate_order(order, [parcel], now, estimate_from_rules=rules)
        state = evaluated.promise_state
        expected = estimated_delivery(parcel, BERLIN, now, rules)
        delivered = parcel.status is ParcelStatus.DELIVERED
        # Late exactly when the promised last day has passed without the delivery
        assert (state is PromiseState.LATE) == (not delivered and local_day(now) > latest)
        # On track never beside an expected day after the promise
        if state is PromiseState.ON_TRACK:
            assert expected is None or expected <= latest
        # The clock alone changes nothing before the sweep's next check
        due = checked.check_due_at
        if due is None or now < due:
            assert state is checked.promise_state, (now, due)
        else:
            checked = evaluated
