"""An option's label: the method's name from the rules, and when the option arrives in words
derived from the option's own dates, relative to the day the customer looks, both in the
destination's zone. So "morgen" is said exactly when the option's one day is tomorrow there.

| the option's days                       | de                       | en                       |
|-----------------------------------------|--------------------------|--------------------------|
| today                                   | heute                    | today                    |
| tomorrow                                | morgen                   | tomorrow                 |
| one day within the next six             | am Mittwoch              | on Wednesday             |
| one day further on (or before today)    | am 14. Dezember          | on 14 December           |
| several, the last within the next six   | zwischen morgen und      | between tomorrow and     |
|                                         | Donnerstag               | Thursday                 |
| several, further on                     | zwischen 14. und 18.     | between 14 and 18        |
|                                         | Dezember                 | December                 |

The label is ``PATTERNS[lang]`` around these words ("Express – morgen bei dir", "Express – with
you tomorrow"). A label in a language without these words is the method's name alone. The
names themselves hold no relative day words (``relative_word`` finds them; the rules' loader
refuses such a name): only the dates may say when.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from chalicelib.domain.day_names import MONTHS, WEEKDAYS

PATTERNS: Mapping[str, str] = {"de": "{name} – {when} bei dir", "en": "{name} – with you {when}"}
WEEK = 6  # days ahead that a weekday name names without doubt

_NEAR: Mapping[str, tuple[str, str]] = {"de": ("heute", "morgen"), "en": ("today", "tomorrow")}
_ONE: Mapping[str, str] = {"de": "am {0}", "en": "on {0}"}
_SPAN: Mapping[str, str] = {"de": "zwischen {0} und {1}", "en": "between {0} and {1}"}
_DATE: Mapping[str, str] = {"de": "{day}. {month}", "en": "{day} {month}"}
_DAY_ONLY: Mapping[str, str] = {"de": "{day}.", "en": "{day}"}

_RELATIVE = re.compile(
    r"\b("
    + "|".join(
        [
            "heute", "morgen", "übermorgen", "gestern", "today", "tonight", "tomorrow",
            "yesterday", *(day for days in WEEKDAYS.values() for day in days),
        ]
    )
    + r")\b",
    re.IGNORECASE,
)  # fmt: skip


def option_label(name: str, language: str, earliest: date, latest: date, today: date) -> str:
    """The label of an option named ``name`` (in ``language``) for the days earliest–latest,
    seen on ``today``."""
    pattern = PATTERNS.get(language)
    if pattern is None:
        return name
    return pattern.format(name=name, when=delivery_words(earliest, latest, today, language))


def delivery_words(earliest: date, latest: date, today: date, language: str) -> str:
    """When the days earliest–latest are, seen on ``today`` (the table of the docstring)."""
    if earliest == latest:
        near = _near(earliest, today, language)
        if near is not None:
            return near
        return _ONE[language].format(_day(earliest, today, language))
    if 0 <= (earliest - today).days and (latest - today).days <= WEEK:
        first, last = _day(earliest, today, language), _day(latest, today, language)
        return _SPAN[language].format(first, last)
    return _SPAN[language].format(*_dates(earliest, latest, language))


def relative_word(text: str) -> str | None:
    """The first word of ``text`` that says a day relative to today ("morgen", "Friday")."""
    found = _RELATIVE.search(text)
    return found.group(0) if found else None


def _near(day: date, today: date, language: str) -> str | None:
    ahead = (day - today).days
    return _NEAR[language][ahead] if 0 <= ahead < 2 else None


def _day(day: date, today: date, language: str) -> str:
    near = _near(day, today, language)
    if near is not None:
        return near
    if 0 <= (day - today).days <= WEEK:
        return WEEKDAYS[language][day.weekday()]
    return _date(day, language)


def _date(day: date, language: str) -> str:
    return _DATE[language].format(day=day.day, month=MONTHS[language][day.month - 1])


def _dates(earliest: date, latest: date, language: str) -> tuple[str, str]:
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return _DAY_ONLY[language].format(day=earliest.day), _date(latest, language)
    return _date(earliest, language), _date(latest, language)
