"""QuoteRequest validation (422 field errors) and GET query parsing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from chalicelib.models import promise as api
from chalicelib.models.promise import QuoteQuery, QuoteRequest

Body = dict[str, Any]

VALID: Body = {
    "destination": {"country": "DE", "postal_code": "10115"},
    "items": [{"sku": "TSHIRT-M", "quantity": 2}],
    "at": "2026-12-23T16:30:00+01:00",
    "inventory": {"TSHIRT-M": {"WH-LEIPZIG": 40, "STORE-BERLIN": 2}},
    "locale": "de-DE",
    "subtotal": {"amount": "59.80", "currency": "EUR"},
    "explain": False,
}


def _with(change: Callable[[Body], object]) -> Body:
    body = copy.deepcopy(VALID)
    change(body)
    return body


def _locs(body: Body) -> list[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as error:
        QuoteRequest.model_validate(body)
    return [e["loc"] for e in error.value.errors()]


def test_the_contract_example_is_valid() -> None:
    request = QuoteRequest.model_validate(VALID)

    assert request.at == datetime(2026, 12, 23, 15, 30, tzinfo=UTC)
    assert request.at.utcoffset() == timedelta(hours=1)
    assert request.subtotal is not None and str(request.subtotal.amount) == "59.80"


def test_only_destination_and_items_are_required() -> None:
    request = QuoteRequest.model_validate(
        {"destination": VALID["destination"], "items": VALID["items"]}
    )

    assert (request.at, request.inventory, request.subtotal) == (None, None, None)
    assert (request.locale, request.explain) == ("de-DE", False)


BAD_BODIES = {
    "missing destination": (lambda b: b.pop("destination"), ("destination",)),
    "missing items": (lambda b: b.pop("items"), ("items",)),
    "lower-case country": (
        lambda b: b["destination"].update(country="de"),
        ("destination", "country"),
    ),
    "three-letter country": (
        lambda b: b["destination"].update(country="DEU"),
        ("destination", "country"),
    ),
    "German postal code of 4 digits": (
        lambda b: b["destination"].update(postal_code="1011"),
        ("destination", "postal_code"),
    ),
    "German postal code with letters": (
        lambda b: b["destination"].update(postal_code="1O115"),
        ("destination", "postal_code"),
    ),
    "Austrian postal code of 5 digits": (
        lambda b: b["destination"].update(country="AT"),
        ("destination", "postal_code"),
    ),
    "other country, too short": (
        lambda b: b["destination"].update(country="FR", postal_code="75"),
        ("destination", "postal_code"),
    ),
    "other country, too long": (
        lambda b: b["destination"].update(country="GB", postal_code="SW1A1AA1234"),
        ("destination", "postal_code"),
    ),
    "other country, punctuation": (
        lambda b: b["destination"].update(country="GB", postal_code="SW1A 1AA"),
        ("destination", "postal_code"),
    ),
    "quantity 0": (lambda b: b["items"][0].update(quantity=0), ("items", 0, "quantity")),
    "quantity 1000": (lambda b: b["items"][0].update(quantity=1000), ("items", 0, "quantity")),
    "no items": (lambda b: b.update(items=[]), ("items",)),
    "101 items": (
        lambda b: b.update(items=[{"sku": f"S{i}", "quantity": 1} for i in range(101)]),
        ("items",),
    ),
    "naive at": (lambda b: b.update(at="2026-12-23T16:30:00"), ("at",)),
    "date-only at": (lambda b: b.update(at="2026-12-23"), ("at",)),
    "unix time at": (lambda b: b.update(at=1798043400), ("at",)),
    "digit string at": (lambda b: b.update(at="1798043400"), ("at",)),
    "at in the 1990s": (lambda b: b.update(at="1999-12-31T23:00:00+00:00"), ("at",)),
    "unknown locale": (lambda b: b.update(locale="fr-FR"), ("locale",)),
    "locale in lower case": (lambda b: b.update(locale="de-de"), ("locale",)),
    "negative subtotal": (lambda b: b["subtotal"].update(amount="-1.00"), ("subtotal", "amount")),
    "subtotal as a JSON number": (
        lambda b: b["subtotal"].update(amount=59.8),
        ("subtotal", "amount"),
    ),
    "subtotal with 3 decimals": (
        lambda b: b["subtotal"].update(amount="1.005"),
        ("subtotal", "amount"),
    ),
    "lower-case currency": (
        lambda b: b["subtotal"].update(currency="eur"),
        ("subtotal", "currency"),
    ),
    "negative stock": (
        lambda b: b["inventory"]["TSHIRT-M"].update({"WH-LEIPZIG": -1}),
        ("inventory", "TSHIRT-M", "WH-LEIPZIG"),
    ),
    "unknown field": (lambda b: b.update(coupon="XMAS"), ("coupon",)),
    "unknown destination field": (
        lambda b: b["destination"].update(city="Berlin"),
        ("destination", "city"),
    ),
}


@pytest.mark.parametrize(("change", "loc"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_input_is_a_field_error(change: Callable[[Body], object], loc: tuple[Any, ...]) -> None:
    assert _locs(_with(change)) == [loc]


INT_TYPE = ("int_type", "Input should be a valid integer")
# A JSON body's whole numbers as strict validation reads them: where, value, the answer.
QUANTITY, STOCK = ("items", 0, "quantity"), ("inventory", "TSHIRT-M", "WH-LEIPZIG")
BODY_NUMBERS = [
    (QUANTITY, 2, 2),
    (QUANTITY, 2.0, 2),
    (QUANTITY, 1000.0, ("less_than_equal", "Input should be less than or equal to 999")),
    (QUANTITY, 0, ("greater_than_equal", "Input should be greater than or equal to 1")),
    (QUANTITY, 2.5, INT_TYPE),
    (QUANTITY, 1e300, ("less_than_equal", "Input should be less than or equal to 999")),
    (QUANTITY, "2", INT_TYPE),
    (QUANTITY, True, INT_TYPE),
    (QUANTITY, None, INT_TYPE),
    (QUANTITY, [2], INT_TYPE),
    (STOCK, 40.0, 40),
    (STOCK, -1.0, ("greater_than_equal", "Input should be greater than or equal to 0")),
    (STOCK, 0.5, INT_TYPE),
    (STOCK, "40", INT_TYPE),
    (STOCK, False, INT_TYPE),
]


@pytest.mark.parametrize(("loc", "value", "expected"), BODY_NUMBERS, ids=repr)
def test_a_body_number_is_whole_in_any_json_spelling(
    loc: tuple[Any, ...], value: Any, expected: Any
) -> None:
    # Given a JSON body with `value` at `loc`
    body = copy.deepcopy(VALID)
    *parents, last = loc
    target = body
    for key in parents:
        target = target[key]
    target[last] = value

    # When it is read as the route reads it (strict JSON)
    try:
        request = QuoteRequest.model_validate_json(json.dumps(body), strict=True)
    except ValidationError as error:
        # Then a refusal is one error at the number: the type's, else the bounds'
        assert [(e["loc"], (e["type"], e["msg"])) for e in error.errors()] == [(loc, expected)]
        return
    if loc == QUANTITY:
        number = request.items[0].quantity
    else:
        assert request.inventory is not None
        number = request.inventory["TSHIRT-M"]["WH-LEIPZIG"]
    assert type(number) is int and number == expected


@pytest.mark.parametrize(
    ("at", "accepted"),
    [
        ("2000-01-01T00:00:00Z", True),  # the first instant accepted
        ("2000-01-01T00:30:00+01:00", False),  # 1999 in UTC
        ("1999-12-31T23:30:00-01:00", True),  # 2000 in UTC
        ("2001-01-01T00:00:00+23:59", True),
        ("2099-12-31T00:00:00Z", True),  # the last instant accepted
        ("2099-12-31T00:30:00+01:00", True),  # 30 December in UTC
        ("2099-12-30T23:30:00-01:00", False),  # 31 December, 00:30 in UTC
        ("2098-12-31T23:59:59-23:59", True),
        ("2100-06-01T00:00:00Z", False),
    ],
)
def test_the_instant_range_holds_in_utc_whatever_the_offset(at: str, accepted: bool) -> None:
    # Given a body whose instant lies near a bound, in some offset
    body = json.dumps(_with(lambda b: b.update(at=at)))

    # When it is read strictly, as the route reads it
    try:
        request = QuoteRequest.model_validate_json(body, strict=True)
    except ValidationError as error:
        refused = [(e["loc"], e["msg"]) for e in error.errors()]
    else:
        assert request.at == datetime.fromisoformat(at)
        refused = []

    # Then it is accepted when its UTC instant lies within 2000-01-01 and 2099-12-31
    assert refused == ([] if accepted else [(("at",), "Input should lie between 2000 and 2099")])


@pytest.mark.parametrize(
    ("country", "postal_code"),
    [("DE", "01067"), ("AT", "1010"), ("FR", "75001"), ("GB", "SW1A1AA"), ("NL", "1012AB")],
)
def test_postal_codes_valid_for_their_country(country: str, postal_code: str) -> None:
    body = _with(lambda b: b.update(destination={"country": country, "postal_code": postal_code}))

    assert QuoteRequest.model_validate(body).destination.postal_code == postal_code


@pytest.mark.parametrize("locale", api.SUPPORTED_LOCALES)
def test_every_supported_locale_is_accepted(locale: str) -> None:
    assert QuoteRequest.model_validate(_with(lambda b: b.update(locale=locale))).locale == locale


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2026-12-23T15:30:00Z", timedelta(0)),
        ("2026-12-23T15:30:00+00:00", timedelta(0)),
        ("2026-12-23T16:30:00.250+01:00", timedelta(hours=1)),
        ("2026-12-23T10:30:00-05:00", timedelta(hours=-5)),
    ],
)
def test_instants_keep_their_offset(text: str, offset: timedelta) -> None:
    request = QuoteRequest.model_validate(_with(lambda b: b.update(at=text)))

    assert request.at is not None and request.at.utcoffset() == offset


def test_a_query_builds_a_one_item_request() -> None:
    request = QuoteRequest.from_query(
        {
            "country": "DE",
            "postal_code": "10115",
            "sku": "TSHIRT-M",
            "quantity": "3",
            "at": "2026-12-23T16:30:00+01:00",
            "locale": "en-GB",
            "explain": "true",
        }
    )

    assert request.destination == api.Destination(country="DE", postal_code="10115")
    assert request.items == [api.CartItem(sku="TSHIRT-M", quantity=3)]
    assert request.at == datetime(2026, 12, 23, 16, 30, tzinfo=timezone(timedelta(hours=1)))
    assert (request.locale, request.explain) == ("en-GB", True)


def test_a_minimal_query_quotes_one_unit_now() -> None:
    request = QuoteRequest.from_query({"country": "DE", "postal_code": "10115", "sku": "TSHIRT-M"})

    assert request.items[0].quantity == 1
    assert request.at is None


@pytest.mark.parametrize(
    "params",
    [
        {"country": "DE", "postal_code": "10115", "sku": "TSHIRT-M"},
        {
            "country": "AT",
            "postal_code": "1010",
            "sku": "MUG-LOGO",
            "quantity": "12",
            "at": "2026-12-23T16:30:00+01:00",
            "locale": "de-AT",
            "explain": "true",
        },
    ],
)
def test_a_query_request_is_the_body_request_of_the_same_values(params: dict[str, str]) -> None:
    # Given the request a query builds
    request = QuoteRequest.from_query(params)

    # When the same values are validated as a body
    body = QuoteRequest.model_validate_json(request.model_dump_json(), strict=True)

    # Then both requests are the same
    assert request == body
    assert request.model_dump() == body.model_dump()


def test_an_unencoded_plus_in_the_query_offset_is_understood() -> None:
    params = {
        "country": "DE",
        "postal_code": "10115",
        "sku": "X",
        "at": "2026-12-23T16:30:00 01:00",
    }

    request = QuoteRequest.from_query(params)

    assert request.at is not None and request.at.utcoffset() == timedelta(hours=1)


BAD_QUERIES = {
    "missing country": ({"postal_code": "10115", "sku": "X"}, ("country",)),
    "missing sku": ({"country": "DE", "postal_code": "10115"}, ("sku",)),
    "bad postal code": ({"country": "DE", "postal_code": "101", "sku": "X"}, ("postal_code",)),
    "quantity text": (
        {"country": "DE", "postal_code": "10115", "sku": "X", "quantity": "two"},
        ("quantity",),
    ),
    "quantity 0": (
        {"country": "DE", "postal_code": "10115", "sku": "X", "quantity": "0"},
        ("quantity",),
    ),
    "naive at": (
        {"country": "DE", "postal_code": "10115", "sku": "X", "at": "2026-12-23T16:30:00"},
        ("at",),
    ),
    "explain not boolean": (
        {"country": "DE", "postal_code": "10115", "sku": "X", "explain": "maybe"},
        ("explain",),
    ),
    "unknown parameter": ({"country": "DE", "postal_code": "10115", "sku": "X", "q": "1"}, ("q",)),
}


@pytest.mark.parametrize(("params", "loc"), BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_bad_query_errors_name_the_parameter(params: dict[str, str], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as error:
        QuoteRequest.from_query(params)

    assert [e["loc"] for e in error.value.errors()] == [loc]


MODELS: list[type[BaseModel]] = [
    api.QuoteRequest,
    api.QuoteQuery,
    api.Destination,
    api.CartItem,
    api.Money,
    api.QuoteResponse,
    api.QuoteOption,
    api.DeliveryWindow,
    api.ExplainStep,
    api.UnavailableMethod,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_field_is_described_for_the_openapi_document(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()

    for name, prop in schema["properties"].items():
        assert prop.get("description"), f"{model.__name__}.{name}"


def test_money_has_one_schema_for_requests_and_responses() -> None:
    _, schemas = models_json_schema(
        [(QuoteRequest, "validation"), (api.QuoteResponse, "serialization")]
    )

    assert "Money" in schemas["$defs"]
    assert schemas["$defs"]["Money"]["properties"]["amount"]["type"] == "string"


def test_query_parameters_are_flat_for_the_openapi_document() -> None:
    properties = QuoteQuery.model_json_schema()["properties"]

    assert list(properties) == [
        "country",
        "postal_code",
        "sku",
        "quantity",
        "at",
        "locale",
        "explain",
    ]
    assert all("$ref" not in prop for prop in properties.values())
