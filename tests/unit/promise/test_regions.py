"""The destination's own holidays: postal code → subdivision → the delivery days it skips."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import holidays
import pytest

from chalicelib.config.loader import postal_regions
from chalicelib.domain.promise.engine import MethodPromise
from chalicelib.domain.promise.regions import PostalRegions


@pytest.mark.parametrize(
    ("country", "postal_code", "subdivision"),
    [
        ("DE", "10115", "BE"),  # Berlin
        ("DE", "14467", "BB"),  # Potsdam
        ("DE", "80331", "BY"),  # München
        ("DE", "70173", "BW"),  # Stuttgart
        ("DE", "01067", "SN"),  # Dresden
        ("DE", "04109", "SN"),  # Leipzig
        ("DE", "20095", "HH"),
        ("DE", "28195", "HB"),
        ("DE", "50667", "NW"),  # Köln
        ("DE", "60311", "HE"),  # Frankfurt
        ("DE", "55116", "RP"),  # Mainz
        ("DE", "66111", "SL"),  # Saarbrücken
        ("DE", "99084", "TH"),  # Erfurt
        ("DE", "39104", "ST"),  # Magdeburg
        ("DE", "19053", "MV"),  # Schwerin
        ("DE", "24103", "SH"),  # Kiel
        ("DE", "30159", "NI"),  # Hannover
        ("AT", "1010", "9"),  # Wien
        ("AT", "3100", "3"),  # St. Pölten
        ("AT", "4020", "4"),  # Linz
        ("AT", "5020", "5"),  # Salzburg
        ("AT", "6020", "7"),  # Innsbruck
        ("AT", "6900", "8"),  # Bregenz
        ("AT", "7000", "1"),  # Eisenstadt
        ("AT", "8010", "6"),  # Graz
        ("AT", "9020", "2"),  # Klagenfurt
        ("CH", "8001", "ZH"),
        ("CH", "1204", "GE"),
    ],
)
def test_the_bundled_table_finds_the_subdivision(
    country: str, postal_code: str, subdivision: str
) -> None:
    assert postal_regions().subdivision(country, postal_code) == subdivision


@pytest.mark.parametrize(
    ("country", "postal_code"),
    [("DE", "00000"), ("DE", "00999"), ("DE", "1011"), ("AT", "0999"), ("FR", "75001")],
)
def test_an_unknown_postal_code_has_no_subdivision(country: str, postal_code: str) -> None:
    assert postal_regions().subdivision(country, postal_code) is None


def test_every_subdivision_in_the_table_has_a_holiday_calendar() -> None:
    for country, subdivision in postal_regions().subdivisions:
        assert subdivision in holidays.country_holidays(country).subdivisions


def test_ranges_are_inclusive_and_of_one_length() -> None:
    table = PostalRegions([("DE", "10000", "10999", "BE"), ("DE", "12000", "12000", "BB")])

    assert table.subdivision("DE", "10000") == "BE"
    assert table.subdivision("DE", "10999") == "BE"
    assert table.subdivision("DE", "11000") is None
    assert table.subdivision("DE", "12000") == "BB"
    assert table.subdivision("DE", "120000") is None
    with pytest.raises(ValueError, match="bad postal range"):
        PostalRegions([("DE", "200", "1999", "BE")])


def _delivery_skips(promise: MethodPromise) -> dict[date | None, str | None]:
    return {
        step.date: step.reason
        for step in promise.steps
        if step.step == "skipped" and step.location is None
    }


# (destination, holiday, its name, ordered at 10:00 on, a destination without that holiday)
SUBDIVISION_HOLIDAYS = [
    ("10115", date(2027, 3, 8), "Frauentag", "2027-03-05", "20095"),  # Berlin
    ("19053", date(2027, 3, 8), "Frauentag", "2027-03-05", "20095"),  # Mecklenburg-Vorpommern
    ("80331", date(2027, 1, 6), "Heilige Drei Könige", "2027-01-05", "10115"),  # Bayern
    ("70173", date(2027, 1, 6), "Heilige Drei Könige", "2027-01-05", "10115"),  # BW
    ("39104", date(2027, 1, 6), "Heilige Drei Könige", "2027-01-05", "10115"),  # Sachsen-Anhalt
    ("80331", date(2026, 6, 4), "Fronleichnam", "2026-06-03", "10115"),
    ("50667", date(2026, 6, 4), "Fronleichnam", "2026-06-03", "10115"),  # NRW
    ("60311", date(2026, 6, 4), "Fronleichnam", "2026-06-03", "10115"),  # Hessen
    ("55116", date(2026, 6, 4), "Fronleichnam", "2026-06-03", "10115"),  # Rheinland-Pfalz
    ("66111", date(2026, 6, 4), "Fronleichnam", "2026-06-03", "10115"),  # Saarland
    ("80331", date(2027, 11, 1), "Allerheiligen", "2027-10-29", "10115"),
    ("66111", date(2028, 8, 15), "Mariä Himmelfahrt", "2028-08-14", "80331"),
    ("01067", date(2026, 11, 18), "Buß- und Bettag", "2026-11-17", "10115"),  # Sachsen
    ("99084", date(2027, 9, 20), "Weltkindertag", "2027-09-17", "10115"),  # Thüringen
    ("20095", date(2028, 10, 31), "Reformationstag", "2028-10-30", "80331"),
    ("30159", date(2028, 10, 31), "Reformationstag", "2028-10-30", "80331"),
    ("14467", date(2028, 10, 31), "Reformationstag", "2028-10-30", "80331"),
]


@pytest.mark.parametrize(
    ("postal_code", "holiday", "name", "ordered", "elsewhere"), SUBDIVISION_HOLIDAYS
)
def test_delivery_skips_the_holidays_of_the_destinations_subdivision(
    offer: Callable[..., MethodPromise],
    postal_code: str,
    holiday: date,
    name: str,
    ordered: str,
    elsewhere: str,
) -> None:
    at = f"{ordered}T10:00:00+01:00"

    there = offer("standard", at, postal_code=postal_code, explain=True)
    other = offer("standard", at, postal_code=elsewhere, explain=True)

    assert _delivery_skips(there)[holiday] == f"public_holiday:{name}"
    assert holiday not in (there.earliest, there.latest)
    assert holiday not in _delivery_skips(other)
    assert holiday in (other.earliest, other.latest)


def test_explain_names_the_subdivision_calendar(offer: Callable[..., MethodPromise]) -> None:
    promise = offer("standard", "2027-01-05T10:00:00+01:00", postal_code="80331", explain=True)

    calendar = next(step for step in promise.steps if step.step == "calendar")
    assert calendar.reason == "holidays:DE-BY"
    assert "80331" in calendar.detail


def test_an_unknown_postal_code_falls_back_to_national_holidays_and_says_so(
    offer: Callable[..., MethodPromise],
) -> None:
    at = "2027-01-05T10:00:00+01:00"

    promise = offer("standard", at, postal_code="00999", explain=True)

    calendar = next(step for step in promise.steps if step.step == "calendar")
    assert calendar.reason == "holidays:DE"
    assert "not in the subdivision table" in calendar.detail
    assert promise.earliest == date(2027, 1, 6)  # Epiphany is no national holiday
