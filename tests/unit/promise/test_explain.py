"""Explain steps: the path from the order instant to the delivery window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from chalicelib.domain.promise.engine import MethodPromise, Quote

QuoteAt = Callable[..., Quote]


def _skipped(promise: MethodPromise, *, handling: bool) -> list[tuple[date | None, str | None]]:
    return [
        (step.date, step.reason)
        for step in promise.steps
        if step.step == "skipped" and (step.location is not None) is handling
    ]


def test_steps_are_only_built_when_asked(quote_at: QuoteAt) -> None:
    result = quote_at("2026-12-23T17:30:00+01:00")

    assert all(option.steps == () for option in result.options)


def test_after_the_cutoff_on_23_december(offer: Callable[..., MethodPromise]) -> None:
    promise = offer("standard", "2026-12-23T17:30:00+01:00", explain=True)

    kinds = [step.step for step in promise.steps]
    assert kinds[:2] == ["sourcing", "cutoff"]
    assert kinds[-1] == "delivery"
    cutoff = promise.steps[1]
    assert cutoff.detail.startswith("ordered at or after the dhl/paket cut-off 17:00")
    assert cutoff.at is not None and cutoff.at.isoformat() == "2026-12-23T17:00:00+01:00"
    assert _skipped(promise, handling=True) == [
        (date(2026, 12, 24), "closure"),
        (date(2026, 12, 25), "public_holiday:Erster Weihnachtstag"),
        (date(2026, 12, 26), "public_holiday:Zweiter Weihnachtstag"),
        (date(2026, 12, 27), "weekend"),
    ]
    handling = next(step for step in promise.steps if step.step == "handling")
    assert (handling.date, handling.location) == (date(2026, 12, 28), "WH-LEIPZIG")
    transit = [step.date for step in promise.steps if step.step == "transit"]
    assert transit == [date(2026, 12, 29), date(2026, 12, 30)]


def test_transit_skips_holidays_and_weekend(offer: Callable[..., MethodPromise]) -> None:
    promise = offer("standard", "2026-12-23T16:30:00+01:00", explain=True)

    assert _skipped(promise, handling=False) == [
        (date(2026, 12, 25), "public_holiday:Erster Weihnachtstag"),
        (date(2026, 12, 26), "public_holiday:Zweiter Weihnachtstag"),
        (date(2026, 12, 27), "weekend"),
    ]
    transit = [(step.date, step.detail) for step in promise.steps if step.step == "transit"]
    assert transit == [
        (date(2026, 12, 24), "delivery day 1 of dhl/paket (earliest)"),
        (date(2026, 12, 28), "delivery day 2 of dhl/paket (latest)"),
    ]


def test_state_holiday_is_named_on_the_skipped_handling_day(
    offer: Callable[..., MethodPromise],
) -> None:
    promise = offer("standard", "2026-11-18T10:00:00+01:00", explain=True)

    assert _skipped(promise, handling=True) == [
        (date(2026, 11, 18), "public_holiday:Buß- und Bettag")
    ]
    assert not any(step.step == "cutoff" for step in promise.steps)  # closed: no cut-off today


def test_same_day_explains_day_zero(offer: Callable[..., MethodPromise]) -> None:
    promise = offer("same_day", "2026-12-09T10:00:00+01:00", explain=True)

    transit = [(step.date, step.detail) for step in promise.steps if step.step == "transit"]
    assert transit == [
        (date(2026, 12, 9), "delivery day 0 of courier/same_day (earliest and latest)")
    ]


def test_each_parcel_is_explained_and_the_window_names_the_split(
    offer: Callable[..., MethodPromise],
) -> None:
    promise = offer(
        "standard",
        "2026-12-23T16:30:00+01:00",
        items=(("MUG-LOGO", 1), ("TSHIRT-M", 1)),
        inventory={"TSHIRT-M": {"STORE-BERLIN": 3}},
        explain=True,
    )

    sourcing = [(step.location, step.detail) for step in promise.steps if step.step == "sourcing"]
    assert sourcing == [
        ("WH-LEIPZIG", "1× MUG-LOGO from WH-LEIPZIG"),
        ("STORE-BERLIN", "1× TSHIRT-M from STORE-BERLIN"),
    ]
    assert promise.steps[-1].detail == (
        "delivery between 2026-12-28 and 2026-12-29 (the latest of 2 parcels)"
    )


@pytest.mark.parametrize(
    "at",
    [
        "2026-12-23T16:30:00+01:00",
        "2026-12-30T17:30:00+01:00",
        "2026-04-02T18:00:00+02:00",
        "2026-03-28T12:00:00+01:00",
        "2026-10-30T18:00:00+01:00",
    ],
)
def test_explained_dates_agree_with_the_promise(quote_at: QuoteAt, at: str) -> None:
    for option in quote_at(at, explain=True).options:
        rule = option.rule
        handling = [step.date for step in option.steps if step.step == "handling"]
        transit = [step for step in option.steps if step.step == "transit"]
        earliest = [step.date for step in transit if "earliest" in step.detail]
        latest = [step.date for step in transit if "latest" in step.detail]
        assert handling == [parcel.ship_day for parcel in option.parcels]
        assert (earliest, latest) == ([option.earliest], [option.latest])
        assert len(transit) == rule.transit_max + (1 if rule.transit_min == 0 else 0)
