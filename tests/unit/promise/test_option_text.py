"""An option's dates as the answer and its token write them: kept per value, never mixed up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.promise.engine import MethodPromise
from chalicelib.domain.promise.rules import PromiseConfig
from chalicelib.domain.promise.tokens import option_dates

ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("Europe/London"), UTC, timezone(timedelta(hours=1))]


def _promise(config: PromiseConfig, earliest: date, latest: date, order_by: datetime) -> Any:
    rule = next(iter(config.rules.rules))
    return MethodPromise(rule, rule.price.charge, earliest, latest, order_by, ())


def test_one_instant_in_two_zones_is_written_in_each_zone(config: PromiseConfig) -> None:
    # Given two options whose cut-offs are the same instant, in Berlin and in London
    day = date(2026, 12, 23)
    berlin = datetime.combine(day, time(17), tzinfo=ZoneInfo("Europe/Berlin"))
    london = berlin.astimezone(ZoneInfo("Europe/London"))
    assert berlin == london

    # When both are written, one after the other
    first = option_dates(_promise(config, day, day, berlin))
    second = option_dates(_promise(config, day, day, london))

    # Then each keeps its own offset
    assert first[2] == "2026-12-23T17:00:00+01:00"
    assert second[2] == "2026-12-23T16:00:00+00:00"


@settings(max_examples=200, derandomize=True)
@given(
    earliest=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    span=st.integers(0, 10),
    cutoff=st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)),
    zone=st.sampled_from(ZONES),
    fold=st.sampled_from([0, 1]),
)
def test_the_dates_are_always_their_isoformat(
    config: PromiseConfig, earliest: date, span: int, cutoff: datetime, zone: Any, fold: int
) -> None:
    # Given any option, and the same cut-off written before in another zone
    order_by = cutoff.replace(tzinfo=zone, fold=fold)
    latest = earliest + timedelta(days=span)
    option_dates(_promise(config, earliest, latest, order_by.astimezone(UTC)))

    # When its dates are written
    written = option_dates(_promise(config, earliest, latest, order_by))

    # Then they are what isoformat writes, however often the same values came before
    assert written == (earliest.isoformat(), latest.isoformat(), order_by.isoformat())
