"""The rating page: a link click shows a form (and records nothing); only its POST rates."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from tests.api.factories import html_of, order_body, post, token
from tests.api.test_feedback import (
    DELIVERED_AT,
    earlier_answers,
    facts,
    given_an_order,
    stored_feedback,
)

PAGE = "/v1/pages/orders/1001/rating"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def page(client: Any, path: str = PAGE, **params: str) -> Any:
    return client.get(f"{path}?{urlencode(params)}")


def submit(client: Any, **fields: str) -> Any:
    return client.post(PAGE, headers=FORM, body=urlencode(fields).encode())


def test_a_link_click_shows_the_score_preselected_and_records_nothing(client: Any) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    shown = page(client, token=token(), score="8")

    assert shown.status_code == 200
    assert shown.headers["Content-Type"].startswith("text/html")
    html = html_of(shown)
    assert 'value="8" required checked' in html
    assert html.count("checked") == 1
    assert "Wie war deine Lieferung?" in html
    assert stored_feedback() is None and facts() == []


def test_the_page_speaks_english_on_request_and_escapes_what_it_echoes(client: Any) -> None:
    given_an_order(client, delivered=DELIVERED_AT)  # Anna's locale is de-DE

    shown = page(client, token=token(), score="<b>", lang="en")

    html = html_of(shown)
    assert "How was your delivery?" in html
    assert "checked" not in html  # a score that is not 1–10 preselects nothing
    assert "<b>" not in html


@pytest.mark.parametrize(("params", "status"), [({}, 401), ({"token": "forged"}, 403)])
def test_the_page_needs_the_orders_token(client: Any, params: dict[str, str], status: int) -> None:
    assert page(client, **params).status_code == status


def test_a_language_the_page_does_not_speak_falls_back_to_the_orders_own(client: Any) -> None:
    body = order_body("1002")
    body["customer"]["locale"] = "en-GB"
    assert post(client, "/v1/orders", body).status_code == 201

    shown = page(client, PAGE.replace("1001", "1002"), token=token("1002"), lang="fr")

    assert shown.status_code == 200
    assert "How was your delivery?" in html_of(shown)


def test_an_order_in_a_language_the_pages_do_not_speak_is_rated_in_english_as_it_is_tracked(
    client: Any,
) -> None:
    # Given an order placed in French, which the customer pages do not speak
    body = order_body("1003")
    body["customer"]["locale"] = "fr-FR"
    assert post(client, "/v1/orders", body).status_code == 201

    # When the customer opens its rating page and its tracking page
    rating = page(client, PAGE.replace("1001", "1003"), token=token("1003"))
    tracking = client.get(f"/v1/pages/orders/1003?token={token('1003')}")

    # Then both speak English
    assert "How was your delivery?" in html_of(rating)
    assert 'lang="en"' in html_of(tracking)


def test_a_valid_token_for_an_order_the_shop_does_not_have_is_not_found(client: Any) -> None:
    shown = page(client, PAGE.replace("1001", "9999"), token=token("9999"))

    assert shown.status_code == 404
    assert "<form" not in html_of(shown)


def test_a_link_with_a_mangled_order_id_is_a_not_found_page(client: Any) -> None:
    path = "/v1/pages/orders/%C2%91%3C/rating"

    shown = page(client, path, token=token())
    posted = client.post(path, headers=FORM, body=urlencode({"rating": "9"}).encode())

    for answer in (shown, posted):
        assert answer.status_code == 404
        assert answer.headers["Content-Type"].startswith("text/html")


def test_the_forms_post_records_the_rating_and_a_second_post_changes_it(client: Any) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    first = submit(client, token=token(), rating="8", comment="<script>x</script>", lang="de")
    second = submit(client, token=token(), rating="9", lang="en")

    assert (first.status_code, second.status_code) == (201, 200)
    assert "Danke für deine Bewertung!" in html_of(first)
    assert "You gave your order a 9." in html_of(second)
    stored = stored_feedback()
    assert stored is not None
    assert (stored["rating"], earlier_answers()[0]["comment"]) == (9, "<script>x</script>")


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"rating": "0"}, 422),
        ({"rating": "7.5"}, 422),
        ({"rating": "sieben"}, 422),
        ({}, 422),
        ({"rating": "7", "comment": "x" * 2001}, 422),
        ({"rating": "7", "token": "forged"}, 403),
    ],
)
def test_a_refused_form_answers_with_a_page_and_stores_nothing(
    client: Any, fields: dict[str, str], status: int
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    answer = submit(client, **{"token": token(), **fields})

    assert answer.status_code == status
    assert "Das hat leider nicht geklappt" in html_of(answer)
    assert stored_feedback() is None and facts() == []


@pytest.mark.parametrize(
    ("lang", "fields", "says"),
    [
        ("de", {"rating": "0"}, "Bitte wähle eine Bewertung von 1 bis 10"),
        ("en", {"rating": "0"}, "Please choose a rating from 1 to 10"),
        ("de", {"rating": "7", "token": "forged"}, "Dieser Link passt nicht zu dieser Bestellung"),
    ],
)
def test_a_refusal_says_why_in_the_pages_language(
    client: Any, lang: str, fields: dict[str, str], says: str
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    answer = submit(client, **{"token": token(), "lang": lang, **fields})

    assert says in html_of(answer)
    assert "Request is invalid" not in html_of(answer)


def test_the_page_is_never_cached_nor_named_to_another_site_and_runs_no_script(
    client: Any,
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    shown = page(client, token=token(), score="8")

    assert shown.headers["Referrer-Policy"] == "no-referrer"
    assert shown.headers["Content-Security-Policy"].startswith("default-src 'none';")
    assert "no-store" in shown.headers["Cache-Control"]


def test_a_form_that_is_not_utf8_is_refused_as_a_page(client: Any) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    answer = client.post(PAGE, headers=FORM, body=b"token=\xff&rating=\x80")

    assert answer.status_code == 422  # the rating is checked first; never a 500
    assert "Das hat leider nicht geklappt" in html_of(answer)
    assert stored_feedback() is None
