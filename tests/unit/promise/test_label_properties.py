"""An option's label says the days its dates say: read back by a reader written here, apart from
the code under test, at every quarter hour of weeks around cut-offs, DST changes and holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.promise.labels import delivery_words, option_label, relative_word
from chalicelib.models.promise import QuoteRequest, QuoteResponse
from chalicelib.services.promise import quote_body
from tests.unit.orders.builders import BERLIN


@dataclass(frozen=True)
class Words:
    today: str
    tomorrow: str
    days: tuple[str, ...]
    months: tuple[str, ...]
    one: re.Pattern[str]
    span: re.Pattern[str]
    label: re.Pattern[str]
    date: re.Pattern[str]


NAMES = {
    "de": Words(
        "heute",
        "morgen",
        ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
         "Oktober", "November", "Dezember"),
        re.compile(r"^(?:am )?(?P<a>.+)$"),
        re.compile(r"^zwischen (?P<a>.+) und (?P<b>.+)$"),
        re.compile(r"^(?P<name>.+?) – (?P<when>.+) bei dir$"),
        re.compile(r"^(?P<day>\d{1,2})\.(?: (?P<month>\w+))?$"),
    ),
    "en": Words(
        "today",
        "tomorrow",
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        ("January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"),
        re.compile(r"^(?:on )?(?P<a>.+)$"),
        re.compile(r"^between (?P<a>.+) and (?P<b>.+)$"),
        re.compile(r"^(?P<name>.+?) – with you (?P<when>.+)$"),
        re.compile(r"^(?P<day>\d{1,2})(?: (?P<month>\w+))?$"),
    ),
}  # fmt: skip


def read_day(words: str, today: date, language: str, month_of: str | None = None) -> date:
    """The day ``words`` name, seen on ``today``: a relative word, a weekday of the coming
    week, or a day of a month (the next one on or after today, within a year)."""
    names = NAMES[language]
    if words == names.today:
        return today
    if words == names.tomorrow:
        return today + timedelta(days=1)
    if words in names.days:
        ahead = (names.days.index(words) - today.weekday()) % 7
        return today + timedelta(days=ahead)
    found = names.date.match(words)
    assert found, f"not a day: {words!r}"
    month_name = found.group("month") or month_of
    assert month_name, f"a day without its month: {words!r}"
    month = names.months.index(month_name) + 1
    for year in (today.year - 1, today.year, today.year + 1):
        day = date(year, month, int(found.group("day")))
        if abs((day - today).days) < 183:
            return day
    raise AssertionError(f"no year for {words!r}")


def read_when(words: str, today: date, language: str) -> tuple[date, date]:
    names = NAMES[language]
    span = names.span.match(words)
    if span:
        last = read_day(span.group("b"), today, language)
        month = names.months[last.month - 1]
        first = read_day(span.group("a"), today, language, month_of=month)
        return first, last
    one = names.one.match(words)
    assert one
    day = read_day(one.group("a"), today, language)
    return day, day


def read_label(label: str, today: date, language: str) -> tuple[str, date, date]:
    found = NAMES[language].label.match(label)
    assert found, f"not a label of its language: {label!r}"
    return (found.group("name"), *read_when(found.group("when"), today, language))


# -- the words alone: any days, any day seen from ----------------------------------------------
@settings(max_examples=400, derandomize=True)
@given(
    earliest=st.dates(date(2001, 1, 1), date(2098, 12, 31)),
    span=st.integers(0, 12),
    before=st.integers(-3, 40),
    language=st.sampled_from(["de", "en"]),
)
def test_the_words_name_exactly_the_options_days(
    earliest: date, span: int, before: int, language: str
) -> None:
    latest = earliest + timedelta(days=span)
    today = earliest - timedelta(days=before)

    words = delivery_words(earliest, latest, today, language)

    assert read_when(words, today, language) == (earliest, latest)
    # A relative word only where it holds: every day it names lies within the coming week
    if relative_word(words) is not None:
        assert today <= earliest and (latest - today).days <= 6


@pytest.mark.parametrize(
    ("earliest", "latest", "today", "language", "words"),
    [
        (date(2026, 12, 8), date(2026, 12, 8), date(2026, 12, 8), "de", "heute"),
        (date(2026, 12, 9), date(2026, 12, 9), date(2026, 12, 8), "de", "morgen"),
        (date(2026, 12, 9), date(2026, 12, 9), date(2026, 12, 7), "de", "am Mittwoch"),
        (date(2026, 12, 29), date(2026, 12, 29), date(2026, 12, 23), "en", "on Tuesday"),
        (date(2026, 12, 30), date(2026, 12, 30), date(2026, 12, 23), "de", "am 30. Dezember"),
        (date(2026, 12, 24), date(2026, 12, 28), date(2026, 12, 23), "de",
         "zwischen morgen und Montag"),
        (date(2026, 12, 24), date(2026, 12, 30), date(2026, 12, 23), "en",
         "between 24 and 30 December"),
        (date(2026, 12, 30), date(2027, 1, 4), date(2026, 12, 23), "de",
         "zwischen 30. Dezember und 4. Januar"),
        (date(2026, 12, 7), date(2026, 12, 7), date(2026, 12, 8), "en", "on 7 December"),
    ],
)  # fmt: skip
def test_worked_examples(
    earliest: date, latest: date, today: date, language: str, words: str
) -> None:
    assert delivery_words(earliest, latest, today, language) == words


def test_a_language_without_day_words_gets_the_name_alone() -> None:
    day = date(2026, 12, 9)
    assert option_label("Express", "fr", day, day, day - timedelta(days=1)) == "Express"


# -- the quote: every quarter hour of a week -----------------------------------------------------
WEEKS = {
    # Christmas: Leipzig closed on the 24th, two holidays, a Sunday, cut-offs every day
    "christmas": datetime(2026, 12, 20, tzinfo=BERLIN),
    # Summer time starts on Sunday 29 March 2026 (02:00 → 03:00)
    "dst-start": datetime(2026, 3, 25, tzinfo=BERLIN),
    # Summer time ends on Sunday 25 October 2026 (03:00 → 02:00)
    "dst-end": datetime(2026, 10, 21, tzinfo=BERLIN),
    # Easter: Good Friday 3 April, Easter Monday 6 April
    "easter": datetime(2026, 4, 1, tzinfo=BERLIN),
}
QUARTER_HOURS = 7 * 24 * 4


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
@pytest.mark.parametrize("week", WEEKS.values(), ids=WEEKS.keys())
def test_every_label_of_a_week_of_quotes_says_its_own_dates(week: datetime, locale: str) -> None:
    language = locale[:2]
    request = QuoteRequest.model_validate(
        {
            "destination": {"country": "DE", "postal_code": "10115"},
            "items": [{"sku": "TSHIRT-M", "quantity": 1}],
            "locale": locale,
        }
    )
    start = week.astimezone(UTC)
    seen: set[tuple[str, str]] = set()
    for quarter in range(QUARTER_HOURS):
        at = start + timedelta(minutes=15 * quarter)  # real instants: none skipped or doubled
        today = at.astimezone(BERLIN).date()
        body = quote_body(request.model_copy(update={"at": at}), now=at, token_secret="s")
        for option in QuoteResponse.model_validate_json(body.body).options:
            name, first, last = read_label(option.label, today, language)
            assert (first, last) == (option.delivery.earliest, option.delivery.latest), (
                at,
                option.label,
            )
            assert relative_word(name) is None
            seen.add((option.method, option.label))
    # The week shows options for today, tomorrow and weekdays beyond, not one label throughout
    assert len(seen) > 8
