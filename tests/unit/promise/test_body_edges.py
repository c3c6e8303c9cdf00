"""The quote's instant and postal code at their edges: the exact answer for each input, read the
way the route reads a body (strict JSON), the way Python callers and lax JSON read it, and, for
the instant, the way the GET query reads it. How the checks run may change; these answers not."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from chalicelib.domain.json_input import validate_json
from chalicelib.models.orders import OrderDestination
from chalicelib.models.promise import QuoteRequest

SHAPE = "Input should be an ISO 8601 instant with offset"
CALENDAR = "Input should be a valid calendar instant"
RANGE = "Input should lie between 2000 and 2099"
AWARE = "Input should have timezone info"
CART = {
    "destination": {"country": "DE", "postal_code": "10115"},
    "items": [{"sku": "X", "quantity": 1}],
}

Read = Callable[[Any], QuoteRequest]


def _body(at: Any) -> dict[str, Any]:
    return {**CART, "at": at}


BODY_READERS: dict[str, Read] = {
    "route": lambda at: validate_json(QuoteRequest, json.dumps(_body(at)).encode()),
    "lax json": lambda at: QuoteRequest.model_validate_json(json.dumps(_body(at))),
    "python": lambda at: QuoteRequest.model_validate(_body(at)),
    "strict python": lambda at: QuoteRequest.model_validate(_body(at), strict=True),
}


def _query(at: str) -> QuoteRequest:
    return QuoteRequest.from_query({"country": "DE", "postal_code": "10115", "sku": "X", "at": at})


def _instant_outcome(read: Read, at: Any) -> str | list[tuple[tuple[str | int, ...], str]]:
    """The accepted instant as ISO text, or the refusal's field errors (loc, msg)."""
    try:
        request = read(at)
    except ValidationError as error:
        return [(e["loc"], e["msg"]) for e in error.errors()]
    instant = request.at
    assert instant is not None
    # Every instant read from text carries a fixed offset of the standard library, whatever
    # reads it: the engine's arithmetic, the answer's text and the token claims rely on it.
    assert type(instant.tzinfo) is timezone
    return str(instant.isoformat())


def _refused(message: str) -> list[tuple[tuple[str, ...], str]]:
    return [(("at",), message)]


# Text a caller may send as `at`, and the one answer every reader gives.
INSTANT_TEXTS: list[tuple[str, str | list[tuple[tuple[str, ...], str]]]] = [
    ("2026-12-23T16:30:00+01:00", "2026-12-23T16:30:00+01:00"),
    ("2026-12-23T16:30:00Z", "2026-12-23T16:30:00+00:00"),
    ("2026-12-23T16:30:00+0100", "2026-12-23T16:30:00+01:00"),
    ("2026-12-23T16:30:00-00:00", "2026-12-23T16:30:00+00:00"),
    ("2026-12-23T16:30:00+23:59", "2026-12-23T16:30:00+23:59"),
    ("2026-12-23 16:30:00+01:00", "2026-12-23T16:30:00+01:00"),
    ("2026-12-23T16:30+01:00", "2026-12-23T16:30:00+01:00"),
    ("2026-12-23T16:30Z", "2026-12-23T16:30:00+00:00"),
    ("2026-12-23T16:30:00.1Z", "2026-12-23T16:30:00.100000+00:00"),
    ("2026-12-23T16:30:00.12Z", "2026-12-23T16:30:00.120000+00:00"),
    ("2026-12-23T16:30:00.123Z", "2026-12-23T16:30:00.123000+00:00"),
    ("2026-12-23T16:30:00.1234Z", "2026-12-23T16:30:00.123400+00:00"),
    ("2026-12-23T16:30:00.12345Z", "2026-12-23T16:30:00.123450+00:00"),
    ("2026-12-23T16:30:00.123456Z", "2026-12-23T16:30:00.123456+00:00"),
    ("2026-12-23T16:30:00.000000+00:00", "2026-12-23T16:30:00+00:00"),
    ("2028-02-29T16:30:00Z", "2028-02-29T16:30:00+00:00"),
    ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00+00:00"),
    ("2000-06-01T00:00:00Z", "2000-06-01T00:00:00+00:00"),
    ("1999-12-31T23:30:00-01:00", "1999-12-31T23:30:00-01:00"),
    ("2099-06-01T00:00:00Z", "2099-06-01T00:00:00+00:00"),
    ("2099-12-31T00:00:00Z", "2099-12-31T00:00:00+00:00"),
    ("", _refused(SHAPE)),
    ("1798043400", _refused(SHAPE)),
    ("2026-12-23", _refused(SHAPE)),
    ("2026-12-23T16:30:00", _refused(SHAPE)),
    ("2026-12-23T16:30:00z", _refused(SHAPE)),
    ("2026-12-23t16:30:00Z", _refused(SHAPE)),
    ("2026-12-23T16:30:00+01", _refused(SHAPE)),
    ("2026-12-23T16:30:00+01:00:00", _refused(SHAPE)),
    ("2026-12-23T16:30:00.1234567Z", _refused(SHAPE)),
    ("2026-12-23T16:30:00,5Z", _refused(SHAPE)),
    ("2026-12-23T16:30:00.Z", _refused(SHAPE)),
    ("2026-12-23T16:30:00Zjunk", _refused(SHAPE)),
    ("2026-12-23T16:30:00+01:00 ", _refused(SHAPE)),
    (" 2026-12-23T16:30:00+01:00", _refused(SHAPE)),
    ("2026-12-23T16:30:00+01:00\n", _refused(SHAPE)),
    ("20261223T163000Z", _refused(SHAPE)),
    ("2026-W52-3T16:30:00Z", _refused(SHAPE)),
    ("+2026-12-23T16:30:00Z", _refused(SHAPE)),
    ("\u0662\u0660\u0662\u0666-12-23T16:30:00Z", _refused(SHAPE)),  # Arabic-Indic digits
    ("2026-12-23T16:30:00\u221201:00", _refused(SHAPE)),  # a minus sign, not a hyphen
    ("2026-13-23T16:30:00Z", _refused(CALENDAR)),
    ("2026-00-10T16:30:00Z", _refused(CALENDAR)),
    ("2026-02-30T16:30:00Z", _refused(CALENDAR)),
    ("2026-02-29T16:30:00Z", _refused(CALENDAR)),
    ("2026-12-00T16:30:00Z", _refused(CALENDAR)),
    ("2026-12-32T16:30:00Z", _refused(CALENDAR)),
    ("2026-12-23T24:00:00Z", _refused(CALENDAR)),
    ("2026-12-23T25:00:00Z", _refused(CALENDAR)),
    ("2026-12-23T23:60:00Z", _refused(CALENDAR)),
    ("2026-12-23T23:59:60Z", _refused(CALENDAR)),
    ("2026-12-23T16:30:00+24:00", _refused(CALENDAR)),
    ("2026-12-23T16:30:00+12:60", _refused(CALENDAR)),  # the standard library reads +13:00
    ("2026-12-23T16:30:00+0199", _refused(CALENDAR)),
    ("1999-06-01T00:00:00Z", _refused(RANGE)),
    ("1999-12-31T23:59:59.999999Z", _refused(RANGE)),
    ("2000-01-01T00:30:00+01:00", _refused(RANGE)),
    ("2099-12-31T00:00:01Z", _refused(RANGE)),
    ("2100-06-01T00:00:00Z", _refused(RANGE)),
]


@pytest.mark.parametrize("reader", [*BODY_READERS, "query"])
@pytest.mark.parametrize(("text", "expected"), INSTANT_TEXTS, ids=repr)
def test_every_reader_gives_an_instant_text_the_same_answer(
    reader: str, text: str, expected: Any
) -> None:
    # Given an instant as text, read by the route, a Python caller or the GET query
    read = _query if reader == "query" else BODY_READERS[reader]

    # When it is read, Then the answer is the instant with its offset, or the one field error
    assert _instant_outcome(read, text) == expected


# JSON values other than text: none is an instant (pydantic alone would read numbers as unix time).
INSTANT_JSON_VALUES: list[tuple[Any, Any]] = [
    (None, "none"),
    (1798043400, _refused(SHAPE)),
    (1798043400.5, _refused(SHAPE)),
    (0, _refused(SHAPE)),
    (-1, _refused(SHAPE)),
    (True, _refused(SHAPE)),
    ([], _refused(SHAPE)),
    ({}, _refused(SHAPE)),
    (["2026-12-23T16:30:00+01:00"], _refused(SHAPE)),
]


@pytest.mark.parametrize("reader", BODY_READERS)
@pytest.mark.parametrize(("value", "expected"), INSTANT_JSON_VALUES, ids=repr)
def test_a_json_value_that_is_not_text_is_no_instant(
    reader: str, value: Any, expected: Any
) -> None:
    # Given a body whose `at` is a JSON value other than text
    read = BODY_READERS[reader]

    # When it is read
    try:
        outcome: Any = read(value).at
    except ValidationError as error:
        outcome = [(e["loc"], e["msg"]) for e in error.errors()]

    # Then null means "now" (no instant) and everything else is the one shape error
    assert outcome == (None if expected == "none" else expected)


PYTHON_READERS = {name: BODY_READERS[name] for name in ("python", "strict python")}
BERLIN = ZoneInfo("Europe/Berlin")


class NoOffset(tzinfo):
    """A tzinfo that knows no offset: a datetime with it is naive all the same."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None

    def __repr__(self) -> str:  # the test's id: the same in every test process
        return "NoOffset()"


@pytest.mark.parametrize("reader", PYTHON_READERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 12, 23, 16, 30, tzinfo=timezone(timedelta(hours=1))), None),
        (datetime(2026, 12, 23, 16, 30, tzinfo=BERLIN), None),
        (datetime(2026, 12, 23, 16, 30), [(("at",), AWARE)]),
        (datetime(2026, 12, 23, 16, 30, tzinfo=NoOffset()), [(("at",), AWARE)]),
        (datetime(1990, 1, 1, tzinfo=NoOffset()), [(("at",), AWARE)]),
        (datetime(1999, 6, 1, tzinfo=UTC), _refused(RANGE)),
        (datetime(2100, 6, 1, tzinfo=UTC), _refused(RANGE)),
        (date(2026, 12, 23), _refused(SHAPE)),
    ],
    ids=repr,
)
def test_a_python_caller_may_pass_an_aware_datetime_as_it_is(
    reader: str, value: Any, expected: Any
) -> None:
    # Given a Python caller passing a date or datetime object as `at`
    try:
        request = PYTHON_READERS[reader](value)
    except ValidationError as error:
        # Then a naive, out-of-range or date value is refused with the same field error
        assert [(e["loc"], e["msg"]) for e in error.errors()] == expected
        return

    # Then an aware datetime in range is kept as it is, zone and all
    assert expected is None
    assert request.at is value


PATTERN = "String should match pattern '^[A-Za-z0-9]{3,10}$'"
COUNTRY = "String should match pattern '^[A-Z]{2}$'"
REQUIRED = "Field required"
EXTRA = "Extra inputs are not permitted"
PC, CC, CITY = ("postal_code",), ("country",), ("city",)

# A destination, and the field errors it gets (relative to the destination), in order.
DESTINATIONS: list[tuple[dict[str, Any], list[tuple[tuple[str, ...], str]]]] = [
    ({"country": "DE", "postal_code": "10115"}, []),
    ({"country": "DE", "postal_code": "01067"}, []),
    ({"country": "AT", "postal_code": "1010"}, []),
    ({"country": "FR", "postal_code": "75001"}, []),
    ({"country": "GB", "postal_code": "SW1A1AA"}, []),
    ({"country": "NL", "postal_code": "1012AB"}, []),
    ({"country": "US", "postal_code": "abc"}, []),
    ({"country": "DE", "postal_code": "1011"}, [(PC, "Not a valid postal code for DE")]),
    ({"country": "DE", "postal_code": "101155"}, [(PC, "Not a valid postal code for DE")]),
    ({"country": "DE", "postal_code": "1O115"}, [(PC, "Not a valid postal code for DE")]),
    ({"country": "DE", "postal_code": "ABCDE"}, [(PC, "Not a valid postal code for DE")]),
    ({"postal_code": "1011", "country": "DE"}, [(PC, "Not a valid postal code for DE")]),
    ({"country": "AT", "postal_code": "10115"}, [(PC, "Not a valid postal code for AT")]),
    ({"country": "AT", "postal_code": "A010"}, [(PC, "Not a valid postal code for AT")]),
    ({"country": "DE", "postal_code": "\uff11\uff10\uff11\uff11\uff15"}, [(PC, PATTERN)]),
    ({"country": "AT", "postal_code": "\u0661\u0660\u0661\u0660"}, [(PC, PATTERN)]),
    ({"country": "DE", "postal_code": "10 15"}, [(PC, PATTERN)]),
    ({"country": "DE", "postal_code": "10115\n"}, [(PC, PATTERN)]),
    ({"country": "DE", "postal_code": "10"}, [(PC, PATTERN)]),
    ({"country": "DE", "postal_code": 10115}, [(PC, "Input should be a valid string")]),
    ({"country": "GB", "postal_code": "SW1A 1AA"}, [(PC, PATTERN)]),
    ({"country": "US", "postal_code": "12"}, [(PC, PATTERN)]),
    ({"country": "US", "postal_code": "12345678901"}, [(PC, PATTERN)]),
    ({"country": "de", "postal_code": "1011"}, [(CC, COUNTRY)]),
    ({"country": "DEU", "postal_code": "ABCDE"}, [(CC, COUNTRY)]),
    ({"country": None, "postal_code": "1011"}, [(CC, "Input should be a valid string")]),
    ({"country": "de", "postal_code": "1"}, [(CC, COUNTRY), (PC, PATTERN)]),
    ({"postal_code": "1011"}, [(CC, REQUIRED)]),
    ({"country": "DE"}, [(PC, REQUIRED)]),
    ({}, [(CC, REQUIRED), (PC, REQUIRED)]),
    (
        {"country": "DE", "postal_code": "1011", "city": "Berlin"},
        [(PC, "Not a valid postal code for DE"), (CITY, EXTRA)],
    ),
    (
        {"city": "Berlin", "postal_code": "1011", "country": "DE"},
        [(PC, "Not a valid postal code for DE"), (CITY, EXTRA)],
    ),
]


def _destination_errors(read: Callable[[], object]) -> list[tuple[tuple[str | int, ...], str]]:
    try:
        read()
    except ValidationError as error:
        return [(e["loc"], e["msg"]) for e in error.errors()]
    return []


@pytest.mark.parametrize("strict_json", [True, False], ids=["route", "python"])
@pytest.mark.parametrize(("destination", "expected"), DESTINATIONS, ids=repr)
def test_a_quote_destination_gets_the_same_postal_code_answer(
    strict_json: bool, destination: dict[str, Any], expected: list[Any]
) -> None:
    # Given a quote body with this destination
    body = {**CART, "destination": destination}

    # When the route (strict JSON) or a Python caller reads it
    if strict_json:
        errors = _destination_errors(lambda: validate_json(QuoteRequest, json.dumps(body).encode()))
    else:
        errors = _destination_errors(lambda: QuoteRequest.model_validate(body))

    # Then the errors are these, at the destination, in this order
    assert errors == [(("destination", *loc), msg) for loc, msg in expected]


@pytest.mark.parametrize(("destination", "expected"), DESTINATIONS, ids=repr)
def test_an_order_destination_gets_the_same_postal_code_answer(
    destination: dict[str, Any], expected: list[Any]
) -> None:
    # Given an order's destination (it may also name a city)
    destination = {k: v for k, v in destination.items() if k != "city"}
    expected = [(loc, msg) for loc, msg in expected if loc != CITY]

    # When it is read as a body is read
    errors = _destination_errors(
        lambda: OrderDestination.model_validate_json(json.dumps(destination), strict=True)
    )

    # Then the postal code gets the same answer as in a quote
    assert errors == expected


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("at", "text"),
    [
        ("2026-12-23T16:30:00+01:00", "2026-12-23T16:30:00+01:00"),
        ("2026-12-23T16:30:00.5Z", "2026-12-23T16:30:00.500000Z"),
        (None, None),
    ],
)
def test_a_request_read_by_the_route_writes_its_instant_back_as_a_datetime(
    at: str | None, text: str | None
) -> None:
    # Given a body read as the route reads it
    request = BODY_READERS["route"](at)

    # When it is written back as JSON (no serialiser warning: they are errors here)
    written = json.loads(request.model_dump_json())

    # Then the instant is written as the datetime it is
    assert written["at"] == text
