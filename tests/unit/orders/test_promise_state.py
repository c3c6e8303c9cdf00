"""The promise state follows one rule table, with dates counted in the destination's zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders import (
    ParcelProgress,
    ParcelStatus,
    PromisePolicy,
    PromiseState,
    PromiseWindow,
    promise_state,
)
from tests.unit.orders.builders import BERLIN, WINDOW

# Tuesday 22 December, noon in Berlin; the window is 23–24 December.
NOW = datetime(2026, 12, 22, 12, 0, tzinfo=BERLIN)
H = timedelta(hours=1)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)


def parcel(status: str, estimate: date | None = None, silent: timedelta = H) -> ParcelProgress:
    return ParcelProgress(ParcelStatus(status), estimate, NOW - silent, None)


def delivered(when: datetime) -> ParcelProgress:
    return ParcelProgress(ParcelStatus.DELIVERED, None, when, when)


KEPT, BROKEN, LATE = PromiseState.KEPT, PromiseState.BROKEN, PromiseState.LATE
AT_RISK, ON_TRACK = PromiseState.AT_RISK, PromiseState.ON_TRACK


@pytest.mark.parametrize(
    ("parcels", "all_delivered", "now", "expected"),
    [
        # 1–2: everything delivered, judged on the last delivery date in Berlin
        pytest.param([delivered(berlin(24, 23, 30))], True, NOW, KEPT, id="kept-last-evening"),
        pytest.param([delivered(berlin(22, 10))], True, NOW, KEPT, id="kept-early"),
        # 00:10 on the 25th in Berlin is still the 24th in UTC: the destination's zone decides
        pytest.param([delivered(berlin(25, 0, 10))], True, NOW, BROKEN, id="broken-after-midnight"),
        pytest.param(
            [delivered(berlin(23, 10)), delivered(berlin(26, 10))],
            True,
            NOW,
            BROKEN,
            id="broken-by-the-last-parcel",
        ),
        # 3: past the window without full delivery, whatever else holds
        pytest.param([parcel("in_transit")], False, berlin(25, 0, 5), LATE, id="late"),
        pytest.param([parcel("exception")], False, berlin(25, 0, 5), LATE, id="late-beats-risk"),
        pytest.param([], False, berlin(25, 9), LATE, id="late-never-shipped"),
        pytest.param(
            [delivered(berlin(23, 10)), parcel("in_transit")],
            False,
            berlin(25, 9),
            LATE,
            id="late-partly-delivered",
        ),
        pytest.param(
            [ParcelProgress(ParcelStatus.OUT_FOR_DELIVERY, None, berlin(24, 8), None)],
            False,
            berlin(24, 23, 59),
            ON_TRACK,
            id="last-minute",
        ),
        # 4: a risky status
        pytest.param([parcel("exception")], False, NOW, AT_RISK, id="exception"),
        pytest.param([parcel("failed_attempt")], False, NOW, AT_RISK, id="failed-attempt"),
        pytest.param([parcel("returned_to_sender")], False, NOW, AT_RISK, id="returned"),
        # 5: the estimate
        pytest.param(
            [parcel("in_transit", date(2026, 12, 25))], False, NOW, AT_RISK, id="estimate-after"
        ),
        pytest.param(
            [parcel("in_transit", date(2026, 12, 24))], False, NOW, ON_TRACK, id="estimate-inside"
        ),
        # 6: silence, against the default table
        pytest.param([parcel("in_transit", silent=48 * H)], False, NOW, AT_RISK, id="transit-48h"),
        pytest.param([parcel("in_transit", silent=47 * H)], False, NOW, ON_TRACK, id="transit-47h"),
        pytest.param(
            [parcel("out_for_delivery", silent=24 * H)], False, NOW, AT_RISK, id="out-24h"
        ),
        pytest.param(
            [parcel("out_for_delivery", silent=23 * H)], False, NOW, ON_TRACK, id="out-23h"
        ),
        pytest.param([parcel("info_received", silent=72 * H)], False, NOW, AT_RISK, id="info-72h"),
        pytest.param(
            [parcel("available_for_pickup", silent=99 * H)], False, NOW, ON_TRACK, id="pickup"
        ),
        # 7: otherwise
        pytest.param([], False, NOW, ON_TRACK, id="nothing-shipped-yet"),
        pytest.param(
            [delivered(berlin(22, 9)), parcel("in_transit")],
            False,
            NOW,
            ON_TRACK,
            id="partly-delivered",
        ),
    ],
)
def test_rule_table(
    parcels: list[ParcelProgress], all_delivered: bool, now: datetime, expected: PromiseState
) -> None:
    assert promise_state(WINDOW, BERLIN, parcels, all_delivered, now) is expected


def test_a_delivered_parcel_no_longer_counts_towards_risk() -> None:
    late_estimate = ParcelProgress(
        ParcelStatus.DELIVERED, date(2026, 12, 30), berlin(22, 9), berlin(22, 9)
    )

    assert promise_state(WINDOW, BERLIN, [late_estimate], False, NOW) is ON_TRACK


def test_the_silence_thresholds_come_from_the_policy() -> None:
    patient = PromisePolicy(silence=((ParcelStatus.IN_TRANSIT, 96 * H),))
    quiet = [parcel("in_transit", silent=60 * H)]

    assert promise_state(WINDOW, BERLIN, quiet, False, NOW) is AT_RISK
    assert promise_state(WINDOW, BERLIN, quiet, False, NOW, patient) is ON_TRACK


def test_the_risky_statuses_come_from_the_policy() -> None:
    lenient = PromisePolicy(risky_statuses=frozenset({ParcelStatus.EXCEPTION}))

    assert promise_state(WINDOW, BERLIN, [parcel("failed_attempt")], False, NOW, lenient) is (
        ON_TRACK
    )


def test_a_window_that_ends_before_it_starts_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        PromiseWindow(earliest=date(2026, 12, 24), latest=date(2026, 12, 23))
