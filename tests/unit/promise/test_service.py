"""The quote use case: wire shape, labels, tokens and the GET cache lifetime."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from chalicelib.config import loader
from chalicelib.domain.errors import InvalidToken
from chalicelib.domain.promise.tokens import ORDER_BY_GRACE, cart_digest, read_promise_token
from chalicelib.domain.signing import issue_token, verify_token
from chalicelib.domain.token_keys import PROMISE, purpose_key
from chalicelib.models.promise import QuoteOption, QuoteRequest, QuoteResponse
from chalicelib.services.promise import (
    SIGNED_AT_TOLERANCE,
    quote_body,
    quote_cache_max_age,
    quote_promise,
    verify_promise_token,
)

SECRET = "test-token-secret"
CET = timezone(timedelta(hours=1))
NOW = datetime(2026, 12, 23, 15, 30, tzinfo=UTC)  # 16:30 in Berlin: the quotes below are of now
BODY: dict[str, Any] = {
    "destination": {"country": "DE", "postal_code": "10115"},
    "items": [{"sku": "TSHIRT-M", "quantity": 2}],
    "at": "2026-12-23T16:30:00+01:00",
    "inventory": {"TSHIRT-M": {"WH-LEIPZIG": 40, "STORE-BERLIN": 2}},
    "locale": "de-DE",
}


def _quote(now: datetime = NOW, **changes: Any) -> QuoteResponse:
    request = QuoteRequest.model_validate({**copy.deepcopy(BODY), **changes})
    return quote_promise(request, now=now, token_secret=SECRET)


def _token(option: QuoteOption) -> str:
    """The option's promise token (every option of a quote of the present has one)."""
    assert option.promise_token is not None
    return option.promise_token


def _wire(response: QuoteResponse) -> dict[str, Any]:
    # What the route sends: json_response dumps with exclude_none.
    wire: dict[str, Any] = response.model_dump(mode="json", exclude_none=True)
    return wire


def test_contract_example_on_the_wire() -> None:
    wire = _wire(_quote())

    assert wire["quoted_at"] == "2026-12-23T16:30:00+01:00"
    first = wire["options"][0]
    token = first.pop("promise_token")
    assert first == {
        "method": "standard",
        "label": "Standard – zwischen morgen und Montag bei dir",
        "carrier": "dhl",
        "service": "paket",
        "price": {"amount": "0.00", "currency": "EUR"},  # 2 × 29.90 is over 50.00
        "delivery": {"earliest": "2026-12-24", "latest": "2026-12-28"},
        "order_by": "2026-12-23T17:00:00+01:00",
        "ships_from": ["WH-LEIPZIG"],
        "parcels": 1,
    }
    assert token.count(".") == 1
    assert [o["method"] for o in wire["options"]] == ["standard", "economy", "next_day"]
    assert wire["options"][2]["delivery"] == {"earliest": "2026-12-29", "latest": "2026-12-29"}
    assert wire["unavailable"] == [{"method": "same_day", "reason": "cutoff_passed"}]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"explain": True},
        {"locale": "en-GB", "explain": True},
        {"locale": "de-AT", "destination": {"country": "AT", "postal_code": "1010"}},
        {"destination": {"country": "FR", "postal_code": "75001"}},
        {"subtotal": {"amount": "12.50", "currency": "EUR"}},
        # The shirt only the Berlin store has, beside a mug from Leipzig: two parcels.
        {
            "items": [{"sku": "TSHIRT-M", "quantity": 1}, {"sku": "MUG-LOGO", "quantity": 1}],
            "inventory": {"TSHIRT-M": {"STORE-BERLIN": 3}, "MUG-LOGO": {"WH-LEIPZIG": 5}},
            "at": "2026-07-01T09:15:00+02:00",
        },
    ],
)
def test_the_answer_text_is_the_quote_response_serialised(changes: dict[str, Any]) -> None:
    # Given a request
    request = QuoteRequest.model_validate({**copy.deepcopy(BODY), **changes})

    # When the quote is written as text on the hot path
    text = quote_body(request, now=NOW, token_secret=SECRET).body

    # Then it is, byte for byte, what QuoteResponse writes for the same values
    response = QuoteResponse.model_validate_json(text)
    assert response.model_dump_json(exclude_none=True) == text
    assert bool(response.options) == (changes.get("destination", {}).get("country") != "FR")


@pytest.mark.parametrize("explain", [False, True])
@pytest.mark.parametrize(
    ("offset", "signed"),
    [
        (timedelta(0), True),
        (SIGNED_AT_TOLERANCE, True),
        (-SIGNED_AT_TOLERANCE, True),
        (SIGNED_AT_TOLERANCE + timedelta(seconds=1), False),
        (-SIGNED_AT_TOLERANCE - timedelta(seconds=1), False),
        (timedelta(hours=-14, minutes=-30), False),  # the morning's promise, quoted at night
    ],
)
def test_tokens_are_signed_only_for_a_quote_of_the_present(
    offset: timedelta, signed: bool, explain: bool
) -> None:
    # Given a quote whose at lies `offset` from the server's clock
    request = QuoteRequest.model_validate(
        {
            **copy.deepcopy(BODY),
            "at": (NOW + offset).astimezone(CET).isoformat(),
            "explain": explain,
        }
    )

    # When it is written as the route writes it
    text = quote_body(request, now=NOW, token_secret=SECRET).body

    # Then every option has a token, or none has and the answer says why; the text is still,
    # byte for byte, what QuoteResponse writes
    response = QuoteResponse.model_validate_json(text)
    assert response.model_dump_json(exclude_none=True) == text
    assert response.options
    assert all((option.promise_token is not None) == signed for option in response.options)
    assert (response.tokens_withheld is None) == signed
    if not signed:
        assert response.tokens_withheld is not None
        assert response.tokens_withheld.reason == "quoted_for_another_instant"


def test_a_token_is_signed_with_the_promise_key_not_with_the_secret_itself() -> None:
    token = _token(_quote().options[0])

    assert verify_token(purpose_key(SECRET, PROMISE), "promise", token)["m"] == "standard"
    with pytest.raises(InvalidToken, match="signature"):
        verify_token(SECRET, "promise", token)


def test_a_token_quoted_with_the_previous_secret_is_read_while_the_rotation_overlaps() -> None:
    token = _token(_quote().options[0])

    window = read_promise_token(token, secret="rotated-token-secret", now=NOW, previous=(SECRET,))

    assert window.method == "standard"
    with pytest.raises(InvalidToken):
        read_promise_token(token, secret="rotated-token-secret", now=NOW)


@pytest.mark.parametrize(
    ("placed", "holds"),
    [
        (timedelta(hours=-1), True),
        (ORDER_BY_GRACE, True),
        (ORDER_BY_GRACE + timedelta(seconds=1), False),
        (timedelta(hours=7), False),
    ],
)
def test_a_promise_holds_for_orders_placed_before_its_cutoff_and_the_grace(
    placed: timedelta, holds: bool
) -> None:
    option = _quote().options[0]
    window = verify_promise_token(_token(option), token_secret=SECRET, now=NOW)

    assert window.holds_for(option.order_by + placed) is holds


def test_quoted_at_echoes_a_utc_instant() -> None:
    wire = _wire(_quote(at="2026-12-23T15:30:00Z"))

    assert wire["quoted_at"] == "2026-12-23T15:30:00Z"
    assert wire["options"][0]["order_by"] == "2026-12-23T17:00:00+01:00"  # location's offset


def test_without_at_the_quote_is_for_now() -> None:
    body = {key: value for key, value in BODY.items() if key != "at"}

    response = quote_promise(QuoteRequest.model_validate(body), now=NOW, token_secret=SECRET)

    assert response.quoted_at == NOW
    assert response.options[0].delivery.earliest == date(2026, 12, 24)


def test_order_by_is_in_the_location_offset_in_summer() -> None:
    wire = _wire(_quote(at="2026-07-01T08:00:00Z"))

    assert {o["order_by"][-6:] for o in wire["options"]} == {"+02:00"}


@pytest.mark.parametrize(
    ("locale", "label"),
    [
        # Wednesday 16:30, after the express cut-off: 24 December closed, two holidays and a
        # Sunday, so Tuesday the 29th
        ("de-DE", "Express – am Dienstag bei dir"),
        ("de-AT", "Express – am Dienstag bei dir"),
        ("en-GB", "Express – with you on Tuesday"),
        ("en-US", "Express – with you on Tuesday"),
        ("en-DE", "Express – with you on Tuesday"),
    ],
)
def test_labels_follow_the_locale_language(locale: str, label: str) -> None:
    response = _quote(locale=locale)

    option = next(o for o in response.options if o.method == "next_day")
    assert (option.delivery.earliest, option.delivery.latest) == (date(2026, 12, 29),) * 2
    assert option.label == label


def test_labels_fall_back_to_the_default_language() -> None:
    with (loader.CONFIG_DIR / loader.RULES_FILE).open("rb") as file:
        rules = tomllib.load(file)
    rules["methods"][1]["labels"] = {"en": "Express"}
    config = loader.load_config({"rules": rules})
    request = QuoteRequest.model_validate(BODY)

    response = quote_promise(request, now=NOW, token_secret=SECRET, config=config)

    label = next(o.label for o in response.options if o.method == "next_day")
    assert label == "Express – with you on Tuesday"


def test_explain_is_only_sent_when_asked() -> None:
    plain = _wire(_quote())
    explained = _wire(_quote(explain=True))

    assert all("explain" not in option for option in plain["options"])
    steps = explained["options"][0]["explain"]
    assert steps[0] == {
        "step": "sourcing",
        "detail": "2× TSHIRT-M from WH-LEIPZIG",
        "location": "WH-LEIPZIG",
    }
    christmas = {
        "step": "skipped",
        "detail": "no delivery",
        "date": "2026-12-25",
        "reason": "public_holiday:Erster Weihnachtstag",
    }
    assert christmas in steps


def test_destination_not_served_has_no_options() -> None:
    wire = _wire(_quote(destination={"country": "FR", "postal_code": "75001"}))

    assert wire["options"] == []
    assert {u["reason"] for u in wire["unavailable"]} == {"destination_not_served"}


def test_the_request_subtotal_decides_free_shipping() -> None:
    response = _quote(subtotal={"amount": "49.99", "currency": "EUR"})

    standard = next(o for o in response.options if o.method == "standard")
    assert str(standard.price.amount) == "4.90"


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _quote(now=datetime(2026, 12, 23, 16, 0))


def test_promise_token_records_the_option() -> None:
    option = _quote().options[0]

    window = verify_promise_token(_token(option), token_secret=SECRET, now=NOW)

    assert (window.method, window.rule, window.carrier, window.service) == (
        "standard",
        "standard-de",
        "dhl",
        "paket",
    )
    assert (window.earliest, window.latest) == (date(2026, 12, 24), date(2026, 12, 28))
    assert window.order_by == option.order_by
    assert window.quoted_at.isoformat() == "2026-12-23T16:30:00+01:00"
    assert window.expires_at == NOW + timedelta(hours=2)
    assert window.ships_from == ("WH-LEIPZIG",)
    assert (window.price.amount, window.price.currency) == (option.price.amount, "EUR")
    assert window.rules_version == "2026.12.2"
    assert window.matches("DE", "10115", [("TSHIRT-M", 1), ("TSHIRT-M", 1)])
    assert not window.matches("DE", "10115", [("TSHIRT-M", 3)])
    assert not window.matches("DE", "10117", [("TSHIRT-M", 2)])


def test_a_version_1_token_quoted_before_an_upgrade_still_records_its_option() -> None:
    # Given a token as quotes wrote them before claims version 2 (names spelled out), signed
    # with the secret itself as before per-purpose keys
    v1 = {
        "v": 1, "method": "standard", "rule": "standard-de", "carrier": "dhl",
        "service": "paket", "earliest": "2026-12-24", "latest": "2026-12-28",
        "order_by": "2026-12-23T17:00:00+01:00", "ships_from": ["WH-LEIPZIG"], "parcels": 1,
        "price": {"amount": "0.00", "currency": "EUR"},
        "quoted_at": "2026-12-23T16:30:00+01:00", "exp": int(NOW.timestamp()) + 7200,
        "dest": {"country": "DE", "postal_code": "10115"},
        "cart": cart_digest([("TSHIRT-M", 2)]), "rules": "2026.12.2",
    }  # fmt: skip
    token = issue_token(SECRET, "promise", v1)

    # Then it reads as the same promise a version 2 token of that option records
    window = verify_promise_token(token, token_secret=SECRET, now=NOW)
    option = _quote().options[0]
    current = verify_promise_token(_token(option), token_secret=SECRET, now=NOW)
    assert window == current


def test_a_token_is_well_under_the_size_of_its_version_1_spelling() -> None:
    # Every option of every quote carries one: version 1's were about 610 characters
    assert all(len(_token(o)) < 500 for o in _quote().options)


def test_every_option_has_its_own_token() -> None:
    options = _quote().options

    windows = [verify_promise_token(_token(o), token_secret=SECRET, now=NOW) for o in options]
    assert [w.method for w in windows] == [o.method for o in options]


def test_promise_token_expires_after_the_ttl() -> None:
    request = QuoteRequest.model_validate(BODY)
    response = quote_promise(request, now=NOW, token_secret=SECRET, token_ttl=timedelta(minutes=10))
    token = _token(response.options[0])

    verify_promise_token(token, token_secret=SECRET, now=NOW + timedelta(minutes=10))
    with pytest.raises(InvalidToken, match="expired"):
        verify_promise_token(token, token_secret=SECRET, now=NOW + timedelta(minutes=10, seconds=1))


def test_default_ttl_is_two_hours() -> None:
    token = _token(_quote().options[0])

    verify_promise_token(token, token_secret=SECRET, now=NOW + timedelta(hours=2))
    with pytest.raises(InvalidToken):
        verify_promise_token(token, token_secret=SECRET, now=NOW + timedelta(hours=2, seconds=1))


def _tampered(token: str) -> str:
    body, mac = token.split(".")
    return f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{mac}"


@pytest.mark.parametrize(
    ("token", "secret"),
    [
        (lambda t: t, "another-secret"),
        (_tampered, SECRET),
        (lambda t: t.replace(".", ""), SECRET),
        (lambda t: issue_token(SECRET, "customer", {"order_id": "1"}), SECRET),
        (lambda t: issue_token(SECRET, "promise", {"v": 1, "method": "standard"}), SECRET),
        (lambda t: issue_token(SECRET, "promise", {"v": 3, "exp": 4102444800}), SECRET),
    ],
    ids=["wrong secret", "tampered", "malformed", "other purpose", "missing claims", "version"],
)
def test_invalid_tokens_are_refused(token: Any, secret: str) -> None:
    genuine = _token(_quote().options[0])

    with pytest.raises(InvalidToken):
        verify_promise_token(token(genuine), token_secret=secret, now=NOW)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 12, 23, 16, 30, tzinfo=UTC) - timedelta(hours=1), 60),  # 30 min left
        (datetime(2026, 12, 23, 15, 59, 30, tzinfo=UTC), 30),  # 16:59:30 in Berlin
        (datetime(2026, 12, 23, 15, 59, 59, 500000, tzinfo=UTC), 0),  # half a second left
        (datetime(2026, 12, 23, 16, 0, 0, tzinfo=UTC), 0),  # the cut-off itself
    ],
)
def test_get_quotes_are_cached_at_most_a_minute_and_never_past_a_cutoff(
    now: datetime, expected: int
) -> None:
    # Given a quote for 16:30 Berlin, whose first cut-off is 17:00 Berlin (16:00Z)
    response = _quote()

    assert quote_cache_max_age([o.order_by for o in response.options], now=now) == expected


def test_cache_age_is_never_negative_and_a_minute_without_options() -> None:
    served = _quote()
    unserved = _quote(destination={"country": "FR", "postal_code": "75001"})

    cutoffs = [o.order_by for o in served.options]
    assert quote_cache_max_age(cutoffs, now=NOW + timedelta(days=3)) == 0
    assert quote_cache_max_age([o.order_by for o in unserved.options], now=NOW) == 60
