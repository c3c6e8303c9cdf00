"""One country's public holiday class, without importing the other ~250 countries.

`holidays` resolves a country lazily, but importing any module under `holidays.countries` runs
that package's `__init__`, which imports every country (≈150 ms, the largest part of a cold
quote's first answer). The rules name one or two countries, so their modules are loaded from
their files alone, under their own names: a later full import of the package reuses them.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

import holidays
from holidays.holiday_base import HolidayBase
from holidays.registry import COUNTRIES

_COUNTRIES_DIR = Path(holidays.__file__).parent / "countries"
# Code (alpha-2, alpha-3, alias) → (module, class), from the package's own registry.
_BY_CODE = {
    code: (module, entities[0])
    for module, entities in COUNTRIES.items()
    for code in entities[1:]
    if 2 <= len(code) <= 3  # as holidays counts codes: not its Holidays<XX> class aliases
}


def supported(country: str) -> bool:
    return country in _BY_CODE


def subdivisions(country: str) -> tuple[str, ...]:
    """The country's subdivision codes; none for a country without a calendar."""
    return tuple(country_class(country).subdivisions) if supported(country) else ()


@cache
def country_class(country: str) -> type[HolidayBase]:
    """The holiday class of `country` (as `holidays.country_holidays` would build it)."""
    if country not in _BY_CODE:
        raise NotImplementedError(f"Country {country} not available")
    module_name, class_name = _BY_CODE[country]
    qualified = f"holidays.countries.{module_name}"
    module = sys.modules.get(qualified)
    if module is None:
        spec = importlib.util.spec_from_file_location(
            qualified, _COUNTRIES_DIR / f"{module_name}.py"
        )
        assert spec is not None and spec.loader is not None  # the registry names a file it ships
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[qualified]
            raise
    found: type[HolidayBase] = getattr(module, class_name)
    return found
