"""An option as the answer and its token write it: kept per value, never mixed up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.promise.engine import MethodPromise
from chalicelib.domain.promise.rules import Money, PromiseConfig
from chalicelib.services.promise import option_text, write_option_text

ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("Europe/London"), UTC, timezone(timedelta(hours=1))]


def _promise(
    config: PromiseConfig, earliest: date, latest: date, order_by: datetime, free: bool = False
) -> Any:
    rule = next(iter(config.rules.rules))
    price = Money(Decimal("0.00"), rule.price.charge.currency) if free else rule.price.charge
    return MethodPromise(rule, price, earliest, latest, order_by, ())


def test_one_instant_in_two_zones_is_written_in_each_zone(config: PromiseConfig) -> None:
    # Given two options whose cut-offs are the same instant, in Berlin and in London
    day = date(2026, 12, 23)
    berlin = datetime.combine(day, time(17), tzinfo=ZoneInfo("Europe/Berlin"))
    london = berlin.astimezone(ZoneInfo("Europe/London"))
    assert berlin == london

    # When both are written, one after the other
    first = option_text(_promise(config, day, day, berlin), "de-DE", "de", day).text
    second = option_text(_promise(config, day, day, london), "de-DE", "de", day).text

    # Then each keeps its own offset
    assert first.order_by == "2026-12-23T17:00:00+01:00"
    assert second.order_by == "2026-12-23T16:00:00+00:00"
    assert b'"o":"2026-12-23T16:00:00+00:00"' in second.claims


@settings(max_examples=200, derandomize=True)
@given(
    earliest=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    span=st.integers(0, 10),
    cutoff=st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)),
    zone=st.sampled_from(ZONES),
    fold=st.sampled_from([0, 1]),
    free=st.booleans(),
    before=st.integers(0, 8),
)
def test_an_option_is_always_written_as_afresh(
    config: PromiseConfig,
    earliest: date,
    span: int,
    cutoff: datetime,
    zone: Any,
    fold: int,
    free: bool,
    before: int,
) -> None:
    # Given any option, and before it the same cut-off in another zone, the same option at the
    # other price, and the same option seen a day earlier
    order_by = cutoff.replace(tzinfo=zone, fold=fold)
    latest = earliest + timedelta(days=span)
    today = earliest - timedelta(days=before)
    same = _promise(config, earliest, latest, order_by, free)
    option_text(
        _promise(config, earliest, latest, order_by.astimezone(UTC), free), "de-DE", "de", today
    )
    option_text(_promise(config, earliest, latest, order_by, not free), "de-DE", "de", today)
    option_text(same, "en-GB", "de", today)
    option_text(same, "de-DE", "de", today - timedelta(days=1))

    # When it is written
    promise = _promise(config, earliest, latest, order_by, free)
    answer = option_text(promise, "de-DE", "de", today)

    # Then it is what is written afresh, however often the same values came before
    assert answer == write_option_text(promise, "de-DE", "de", today)
    assert answer.text[:3] == (earliest.isoformat(), latest.isoformat(), order_by.isoformat())
