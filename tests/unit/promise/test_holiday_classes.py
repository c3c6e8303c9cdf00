"""A country's holiday class is loaded alone, and answers exactly what `holidays` answers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import holidays
import pytest

from chalicelib.domain.promise import holiday_classes

ROOT = Path(__file__).resolve().parents[3]


REGIONS = [("DE", None), ("DE", "BY"), ("DE", "BE"), ("AT", "9"), ("FR", None)]


@pytest.mark.parametrize(("country", "subdivision"), REGIONS)
@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_a_country_class_gives_the_same_holidays_as_the_holidays_package(
    country: str, subdivision: str | None, year: int
) -> None:
    expected = holidays.country_holidays(country, subdiv=subdivision, years=year)

    found = holiday_classes.country_class(country)(subdiv=subdivision, years=year)

    assert dict(found) == dict(expected)
    assert holiday_classes.subdivisions(country) == tuple(
        holidays.list_supported_countries()[country]
    )


def test_codes_are_the_ones_the_package_supports() -> None:
    assert holiday_classes.supported("DE") and holiday_classes.supported("UK")
    assert not holiday_classes.supported("XX")
    assert holiday_classes.subdivisions("XX") == ()
    with pytest.raises(NotImplementedError, match="XX"):
        holiday_classes.country_class("XX")


def test_loading_a_country_imports_no_other_country() -> None:
    # Given a fresh process (importing any country through the package imports all ~250)
    probe = (
        "import json, sys; from chalicelib.domain.promise.calendar import public_holidays; "
        "public_holidays('DE', 'BE', 2026); public_holidays('AT', None, 2026); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('holidays.countries'))))"
    )
    # When the calendars of two countries are built
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # Then only their two modules were imported
    assert json.loads(done.stdout) == ["holidays.countries.austria", "holidays.countries.germany"]


def test_threads_that_ask_for_a_country_at_once_all_get_its_class() -> None:
    # Given a fresh process, where no country is loaded yet, and the local server's threads
    probe = (
        "import threading; from chalicelib.domain.promise import holiday_classes as h; "
        "start = threading.Barrier(8); got = []\n"
        "def ask():\n"
        "    start.wait()\n"
        "    try: got.append(h.country_class('DE').__name__)\n"
        "    except Exception as exc: got.append(type(exc).__name__)\n"
        "threads = [threading.Thread(target=ask) for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]; print(sorted(set(got)))"
    )
    # When eight of them ask for Germany's calendar class at the same moment
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # Then every one gets it: none sees the module half-loaded by another
    assert done.stdout.strip() == "['Germany']"
