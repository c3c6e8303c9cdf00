"""The sweep's next check is the first instant at which the clock alone may move the promise."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.orders import (
    ParcelProgress,
    ParcelStatus,
    PromiseState,
    PromiseWindow,
    next_check_at,
    promise_state,
)
from tests.unit.orders.builders import BERLIN, WINDOW

NOW = datetime(2026, 12, 22, 12, 0, tzinfo=BERLIN)
H = timedelta(hours=1)
SECOND = timedelta(seconds=1)
# The first instant of 25 December in Berlin.
LATE_FROM = datetime(2026, 12, 24, 23, 0, tzinfo=UTC)


def scanned(status: str, ago: timedelta) -> ParcelProgress:
    return ParcelProgress(ParcelStatus(status), None, NOW - ago, None)


def due(parcels: list[ParcelProgress], state: PromiseState = PromiseState.ON_TRACK) -> datetime:
    moment = next_check_at(WINDOW, BERLIN, parcels, state, NOW)
    assert moment is not None
    return moment


def test_with_nothing_shipped_the_check_is_when_the_window_closes() -> None:
    moment = due([])

    assert moment == LATE_FROM
    assert moment.tzinfo is UTC


@pytest.mark.parametrize(
    ("status", "ago", "expected"),
    [
        ("in_transit", H, NOW + 47 * H),
        ("out_for_delivery", H, NOW + 23 * H),
        ("info_received", H, LATE_FROM),  # 71 h later is after the window closes
        ("available_for_pickup", H, LATE_FROM),  # never goes stale
        ("in_transit", 50 * H, LATE_FROM),  # already stale: only the window is left
    ],
)
def test_the_earliest_silence_deadline_or_the_window_end(
    status: str, ago: timedelta, expected: datetime
) -> None:
    assert due([scanned(status, ago)]) == expected


def test_the_earliest_parcel_deadline_wins() -> None:
    parcels = [scanned("in_transit", H), scanned("out_for_delivery", 2 * H)]

    assert due(parcels) == NOW + 22 * H


@pytest.mark.parametrize("state", [PromiseState.KEPT, PromiseState.BROKEN, PromiseState.LATE])
def test_nothing_is_due_once_only_an_event_can_change_the_state(state: PromiseState) -> None:
    assert next_check_at(WINDOW, BERLIN, [scanned("in_transit", H)], state, NOW) is None


@pytest.mark.parametrize(
    ("parcels", "before", "after"),
    [
        ([scanned("in_transit", H)], PromiseState.ON_TRACK, PromiseState.AT_RISK),
        ([], PromiseState.ON_TRACK, PromiseState.LATE),
    ],
)
def test_the_state_changes_exactly_at_the_due_instant(
    parcels: list[ParcelProgress], before: PromiseState, after: PromiseState
) -> None:
    moment = due(parcels)

    assert promise_state(WINDOW, BERLIN, parcels, False, moment - SECOND) is before
    assert promise_state(WINDOW, BERLIN, parcels, False, moment) is after


def test_a_day_that_starts_at_one_oclock_is_late_from_its_first_instant() -> None:
    # Chile moves its clocks from 00:00 to 01:00 on 6 September 2026: midnight never happens.
    santiago = ZoneInfo("America/Santiago")
    window = PromiseWindow(date(2026, 9, 4), date(2026, 9, 5))
    now = datetime(2026, 9, 5, 12, 0, tzinfo=santiago)

    moment = next_check_at(window, santiago, [], PromiseState.ON_TRACK, now)

    assert moment == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert promise_state(window, santiago, [], False, moment - SECOND) is PromiseState.ON_TRACK
    assert promise_state(window, santiago, [], False, moment) is PromiseState.LATE
