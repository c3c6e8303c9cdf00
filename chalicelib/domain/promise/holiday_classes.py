"""One country's public holiday class, without importing the other ~250 countries.

`holidays` resolves a country lazily, but importing any module under `holidays.countries` runs
that package's `__init__`, which imports every country (≈150 ms, the largest part of a cold
quote's first answer). The rules name one or two countries, so their modules are loaded from
their files alone, under their own names: a later full import of the package reuses them.
The package itself (≈100 ms more) loads with the first calendar, not with the rules' types:
the notification sender and the sweep import those but build no calendar.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays.holiday_base import HolidayBase


# A module sits in sys.modules while it executes; without the lock a second thread (the local
# server answers requests in threads) would take it half-built and miss its class.
_LOADING = threading.Lock()


@cache
def _by_code() -> dict[str, tuple[str, str]]:
    """Code (alpha-2, alpha-3, alias) → (module, class), from the package's own registry."""
    from holidays.registry import COUNTRIES

    return {
        code: (module, entities[0])
        for module, entities in COUNTRIES.items()
        for code in entities[1:]
        if 2 <= len(code) <= 3  # as holidays counts codes: not its Holidays<XX> class aliases
    }


def supported(country: str) -> bool:
    return country in _by_code()


def country_codes() -> list[str]:
    """The alpha-2 codes `supported` takes: the countries `holidays` has a calendar for."""
    return sorted(code for code in _by_code() if len(code) == 2)


def subdivisions(country: str) -> tuple[str, ...]:
    """The country's subdivision codes; none for a country without a calendar."""
    return tuple(country_class(country).subdivisions) if supported(country) else ()


@cache
def country_class(country: str) -> type[HolidayBase]:
    """The holiday class of `country` (as `holidays.country_holidays` would build it)."""
    import holidays

    if not supported(country):
        raise NotImplementedError(f"Country {country} not available")
    module_name, class_name = _by_code()[country]
    qualified = f"holidays.countries.{module_name}"
    with _LOADING:
        module = sys.modules.get(qualified)
        if module is None:
            path = Path(holidays.__file__).parent / "countries" / f"{module_name}.py"
            spec = importlib.util.spec_from_file_location(qualified, path)
            assert spec is not None and spec.loader is not None  # the registry ships the file
            module = importlib.util.module_from_spec(spec)
            sys.modules[qualified] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[qualified]
                raise
    found: type[HolidayBase] = getattr(module, class_name)
    return found
