"""The customer's pages (tracking, return request, return status) through the Chalice gateway on
in-process moto, as a customer's browser reaches them from an e-mail or SMS link."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.feedback.rating import COMMENT_MAX
from chalicelib.observability import logger
from tests.api.factories import body_of, html_of, order_body, post, shipment_body, token
from tests.api.returns_steps import (
    LABEL,
    OUTBOUND,
    RETURN_PARCEL,
    carrier_event,
    given_delivered_order,
    post_events,
    request_return,
    step,
)
from tests.api.test_returns import stored

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SECOND_PARCEL = "JJD000390007730"
HOSTILE = '<script>alert("x")</script> Becher'
PERSONAL = ("Anna Schmidt", "anna@example.com", "+4915112345678", "Invalidenstraße")


def page(client: Any, path: str, **params: str) -> Any:
    return client.get(f"{path}?{urlencode(params)}" if params else path)


def submit(client: Any, order_id: str = "1001", **fields: str) -> Any:
    path = f"/v1/pages/orders/{order_id}/return"
    return client.post(path, headers=FORM, body=urlencode(fields).encode())


def given_a_split_order(client: Any, mug_name: str = "Becher blau") -> datetime:
    """Order 1001 in two parcels: the T-shirts delivered yesterday, the mug on its way."""
    items = [
        {"sku": "TSHIRT-M", "quantity": 2, "name": "T-Shirt M"},
        {"sku": "MUG-BLUE", "quantity": 1, "name": mug_name},
    ]
    delivered = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    body = order_body(items=items, placed_at=(delivered - timedelta(days=2)).isoformat())
    body["destination"]["address_line1"] = "Invalidenstraße 116"
    assert post(client, "/v1/orders", body).status_code == 201
    shirts = shipment_body("S1", items=[{"sku": "TSHIRT-M", "quantity": 2}])
    mug = shipment_body(
        "S2", tracking_number=SECOND_PARCEL, items=[{"sku": "MUG-BLUE", "quantity": 1}]
    )
    for shipment in (shirts, mug):
        assert post(client, "/v1/orders/1001/shipments", shipment).status_code == 201
    mug_scan = carrier_event("m-1", "in_transit", delivered, SECOND_PARCEL)
    post_events(
        client,
        carrier_event("s-1", "in_transit", delivered - timedelta(hours=20)),
        carrier_event("s-2", "delivered", delivered),
        {**mug_scan, "description": "Sendung im Zielpaketzentrum"},
    )
    return delivered


def parcel_sections(text: str) -> list[str]:
    return re.findall(r'<section class="parcel">(.*?)</section>', text, re.S)


# -- the tracking page ---------------------------------------------------------------------------
def test_a_split_order_shows_each_parcel_with_its_events_in_the_customers_language(
    client: Any,
) -> None:
    delivered = given_a_split_order(client)

    german = page(client, "/v1/pages/orders/1001", token=token())
    english = page(client, "/v1/pages/orders/1001", token=token(), lang="en")

    assert (german.status_code, english.status_code) == (200, 200)
    assert german.headers["Content-Type"] == "text/html; charset=utf-8"
    first, second = parcel_sections(html_of(german))
    assert "Paket 1 von 2" in first and "Zugestellt" in first and "2 × T-Shirt M" in first
    assert "Paket 2 von 2" in second and "Unterwegs" in second and "1 × Becher blau" in second
    assert "Sendung im Zielpaketzentrum" in second
    # Newest first, at the customer's (Berlin's) time
    berlin = delivered.astimezone(ZoneInfo("Europe/Berlin"))
    assert first.index("Zugestellt</strong>") < first.index("Unterwegs</strong>")
    assert f"{berlin:%H:%M}" in first
    assert (
        "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=" + OUTBOUND
        in first
    )
    assert "zwischen Dienstag, 22. Dezember und Mittwoch, 23. Dezember" in html_of(german)
    en_first, en_second = parcel_sections(html_of(english))
    assert "Parcel 1 of 2" in en_first and "Delivered" in en_first
    assert "Parcel 2 of 2" in en_second and "On its way" in en_second
    assert "Your order 1001" in html_of(english)


def test_a_delivered_parcel_offers_the_rating_and_the_return_and_nothing_personal(
    client: Any,
) -> None:
    given_a_split_order(client)

    shown = html_of(page(client, "/v1/pages/orders/1001", token=token(), utm_source="newsletter"))

    query = urlencode({"token": token(), "lang": "de"})
    assert f'href="1001/rating?{query.replace("&", "&amp;")}"' in shown
    assert f'href="1001/return?{query.replace("&", "&amp;")}"' in shown
    assert "Jetzt bewerten" in shown and "Artikel zurückschicken" in shown
    for personal in PERSONAL:
        assert personal not in shown
    assert "notification" not in shown and "provider" not in shown  # the merchant's view only


def test_before_any_delivery_there_is_nothing_to_rate_or_return(client: Any) -> None:
    assert post(client, "/v1/orders", order_body()).status_code == 201

    shown = html_of(page(client, "/v1/pages/orders/1001", token=token()))

    assert "Deine Bestellung wird gerade vorbereitet" in shown
    assert "/rating?" not in shown and "/return?" not in shown


@pytest.mark.parametrize(("lang", "heading"), [("fr", "Deine Bestellung"), ("en", "Your order")])
def test_an_unknown_language_falls_back_to_the_orders(client: Any, lang: str, heading: str) -> None:
    given_a_split_order(client)

    assert f"{heading} 1001" in html_of(
        page(client, "/v1/pages/orders/1001", token=token(), lang=lang)
    )


def test_every_page_is_uncached_unreferred_and_allows_no_script(client: Any) -> None:
    given_a_split_order(client)

    for answer in (
        page(client, "/v1/pages/orders/1001", token=token()),
        page(client, "/v1/pages/orders/1001/return", token=token()),
        page(client, "/v1/pages/orders/1001", token="forged"),
    ):
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        policy = answer.headers["Content-Security-Policy"]
        assert policy.startswith("default-src 'none'; style-src 'sha256-")
        assert "script-src" not in policy and "unsafe-inline" not in policy
        assert "<script" not in html_of(answer)


def test_a_hostile_product_name_is_shown_as_text(client: Any) -> None:
    given_a_split_order(client, mug_name=HOSTILE)

    for path in ("/v1/pages/orders/1001", "/v1/pages/orders/1001/return"):
        shown = html_of(page(client, path, token=token()))
        assert "<script" not in shown
    tracking = html_of(page(client, "/v1/pages/orders/1001", token=token()))
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Becher" in tracking


@pytest.mark.parametrize(
    ("path", "params", "status", "heading"),
    [
        ("/v1/pages/orders/1001", {}, 401, "Dieser Link ist unvollständig"),
        ("/v1/pages/orders/1001", {"token": "forged"}, 403, "Dieser Link passt nicht"),
        ("/v1/pages/orders/1001", {"token": token("1002")}, 403, "Dieser Link passt nicht"),
        ("/v1/pages/orders/9999", {"token": token("9999")}, 404, "Nicht gefunden"),
        ("/v1/pages/orders/9999", {"token": token("1001")}, 403, "Dieser Link passt nicht"),
        ("/v1/pages/orders/1001/return", {"token": "forged"}, 403, "Dieser Link passt nicht"),
        ("/v1/pages/orders/1001/return", {}, 401, "Dieser Link ist unvollständig"),
        # An unknown return answers as another order's token does: the token learns nothing.
        ("/v1/pages/returns/R000000000000", {"token": token()}, 403, "Dieser Link passt nicht"),
        ("/v1/pages/returns/not-a-return", {"token": token()}, 404, "Nicht gefunden"),
        ("/v1/pages/orders/1001", {"token": "forged", "lang": "en"}, 403, "This link does not fit"),
    ],
)
def test_a_broken_link_answers_an_error_page_with_the_apis_status(
    client: Any, path: str, params: dict[str, str], status: int, heading: str
) -> None:
    given_a_split_order(client)

    answer = client.get(
        f"{path}?{urlencode(params)}", headers={"Accept-Language": "de-DE,de;q=0.9"}
    )

    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("text/html")
    assert heading in html_of(answer)
    assert "Becher" not in html_of(answer)  # nothing of the order


def test_an_error_page_speaks_the_browsers_language(client: Any) -> None:
    answer = client.get("/v1/pages/orders/1001", headers={"Accept-Language": "en-GB,de;q=0.5"})

    assert answer.status_code == 401 and "This link is incomplete" in html_of(answer)


def test_a_refused_form_answers_in_the_language_the_form_was_shown_in(client: Any) -> None:
    # Given a German form posted from an English browser with another order's token
    given_a_delivered_order_with_socks(client)
    headers = {**FORM, "Accept-Language": "en-GB"}
    fields = {"token": "forged", "lang": "de", "resolution": "refund"}

    # When it is posted
    answer = client.post("/v1/pages/orders/1001/return", headers=headers, body=urlencode(fields))

    # Then the error page speaks the form's German
    assert answer.status_code == 403 and "Dieser Link passt nicht" in html_of(answer)


# -- the return form -----------------------------------------------------------------------------
def given_a_delivered_order_with_socks(client: Any) -> str:
    items = [
        {"sku": "TSHIRT-M", "quantity": 2, "name": "T-Shirt M"},
        {"sku": "SOCKS-3PACK", "quantity": 1, "name": "Socken (3er)"},
    ]
    return given_delivered_order(client, items=items)


def test_the_return_form_lists_what_may_go_back_and_what_may_not(client: Any) -> None:
    given_a_delivered_order_with_socks(client)

    shown = html_of(page(client, "/v1/pages/orders/1001/return", token=token()))

    assert 'name="quantity.TSHIRT-M"' in shown and '<option value="2">' in shown
    assert '<option value="3">' not in shown
    assert "noch 2 von 2 möglich, bis" in shown
    assert "Socken (3er)" in shown and "Von der Rückgabe ausgeschlossen" in shown
    assert 'name="quantity.SOCKS-3PACK"' not in shown
    assert 'name="token" value="' + token() + '"' in shown
    assert re.search(r'name="key" value="[A-Za-z0-9_-]{20,}"', shown)
    assert '<form method="post" action="return">' in shown


def test_the_form_opens_a_return_once_and_sees_other_to_its_page(client: Any) -> None:
    given_a_delivered_order_with_socks(client)
    fields = {
        "token": token(), "lang": "de", "key": "form-key-1",
        "quantity.TSHIRT-M": "1", "reason.TSHIRT-M": "too_small", "note.TSHIRT-M": "",
        "resolution": "refund",
    }  # fmt: skip

    first = submit(client, **fields)
    again = submit(client, **fields)  # a double click, or the browser resending the form

    assert (first.status_code, again.status_code) == (303, 303)
    location = first.headers["Location"]
    assert re.fullmatch(r"\.\./\.\./returns/R[0-9A-F]{12}\?token=[^&]+&lang=de", location)
    assert again.headers["Location"] == location
    (opened,) = stored("RETURN#")
    assert [(i["sku"], i["quantity"], i["reason"]) for i in opened["items"]] == [
        ("TSHIRT-M", 1, "too_small")
    ]
    status_page = page(
        client, "/v1/pages/returns/" + location.split("/")[-1].split("?")[0], token=token()
    )
    assert status_page.status_code == 200 and "Angemeldet" in html_of(status_page)


@pytest.mark.parametrize(
    ("lines", "lang", "says"),
    [
        ({"quantity.TSHIRT-M": "3", "reason.TSHIRT-M": "too_small"}, "de",
         "Von T-Shirt M kannst du nur noch 2 zurückschicken."),
        ({"quantity.SOCKS-3PACK": "1", "reason.SOCKS-3PACK": "changed_mind"}, "en",
         "Socken (3er) cannot be returned."),
        ({"quantity.HAT-RED": "1", "reason.HAT-RED": "other", "note.HAT-RED": "x"}, "de",
         "HAT-RED gehört nicht zu dieser Bestellung."),
    ],
)  # fmt: skip
def test_a_refused_return_shows_the_reason_in_the_customers_language_and_stores_nothing(
    client: Any, lines: dict[str, str], lang: str, says: str
) -> None:
    given_a_delivered_order_with_socks(client)

    answer = submit(client, token=token(), lang=lang, key="k-1", resolution="refund", **lines)

    assert answer.status_code == 409
    shown = html_of(answer)
    assert says in shown
    assert '<form method="post" action="return">' in shown  # the form again, to correct it
    assert stored("RETURN#") == []


def test_an_item_gone_back_in_full_is_said_so_not_counted_as_none_left(client: Any) -> None:
    # Given both T-shirts of the order already on their way back
    given_a_delivered_order_with_socks(client)
    first = {"quantity.TSHIRT-M": "2", "reason.TSHIRT-M": "too_small"}
    assert submit(client, token=token(), lang="de", key="k-1", resolution="refund", **first)
    assert len(stored("RETURN#")) == 1

    # When the customer asks to return one more
    again = {"quantity.TSHIRT-M": "1", "reason.TSHIRT-M": "too_small"}
    answer = submit(client, token=token(), lang="de", key="k-2", resolution="refund", **again)

    # Then the page says it has gone back in full
    assert answer.status_code == 409
    assert "T-Shirt M ist schon vollständig zurückgeschickt." in html_of(answer)
    assert "nur noch 0" not in html_of(answer)


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        ({"quantity.TSHIRT-M": "0"}, "Wähle mindestens einen Artikel"),
        ({"quantity.TSHIRT-M": "1"}, "Gib für jeden Artikel einen Grund an"),
        (
            {"quantity.TSHIRT-M": "1", "reason.TSHIRT-M": "other"},
            "Gib für jeden Artikel einen Grund an",
        ),
        ({"quantity.TSHIRT-M": "eins", "reason.TSHIRT-M": "too_small"}, "Gib für jeden Artikel"),
    ],
)
def test_an_incomplete_form_is_shown_again_with_what_is_missing(
    client: Any, lines: dict[str, str], says: str
) -> None:
    given_a_delivered_order_with_socks(client)

    answer = submit(client, token=token(), lang="de", resolution="refund", **lines)

    assert answer.status_code == 422
    assert says in html_of(answer)
    assert stored("RETURN#") == []


@pytest.mark.parametrize(("fields", "status"), [({}, 401), ({"token": "forged"}, 403)])
def test_the_form_needs_the_orders_token_and_stores_nothing_without_it(
    client: Any, fields: dict[str, str], status: int
) -> None:
    given_a_delivered_order_with_socks(client)

    for lines in ({"quantity.TSHIRT-M": "1", "reason.TSHIRT-M": "too_small"}, {}):
        answer = submit(client, resolution="refund", **fields, **lines)
        assert answer.status_code == status
        assert "T-Shirt" not in html_of(answer)
    assert stored("RETURN#") == []


def test_a_form_that_is_not_utf8_is_refused_as_a_page_not_a_crash(client: Any) -> None:
    given_a_delivered_order_with_socks(client)

    answer = client.post(
        "/v1/pages/orders/1001/return", headers=FORM, body=b"token=\xff\xfe&x=\x80"
    )

    assert answer.status_code == 403
    assert stored("RETURN#") == []


# -- the return's page ---------------------------------------------------------------------------
def test_an_order_with_a_return_shows_it_and_its_page_follows_it_to_the_refund(
    client: Any,
) -> None:
    given_delivered_order(client)
    return_id = body_of(request_return(client))["return_id"]
    for body in ({"status": "approved"}, LABEL):
        assert step(client, return_id, body).status_code == 200
    post_events(client, carrier_event("r-1", "in_transit", datetime.now(UTC), RETURN_PARCEL))
    received = {"status": "received"}
    refunded = {"status": "refunded", "refund": {"amount": "12.90", "currency": "EUR"}}
    for body in (received, refunded):
        assert step(client, return_id, body).status_code == 200

    tracking = html_of(page(client, "/v1/pages/orders/1001", token=token()))
    status = page(client, f"/v1/pages/returns/{return_id}", token=token(), lang="de")

    assert f"Rücksendung {return_id}" in tracking and "Erstattet" in tracking
    assert f'href="../returns/{return_id}?token=' in tracking
    shown = html_of(status)
    assert status.status_code == 200
    assert "Erstattet: 12,90 EUR" in shown
    history = re.findall(r"</time> – (\w[\w ]*)</li>", shown)
    assert history == [
        "Erstattet", "Bei uns angekommen", "Auf dem Weg zu uns", "Etikett bereit", "Genehmigt",
        "Angemeldet",
    ]  # fmt: skip
    assert "DHL-QR-1234" in shown and RETURN_PARCEL in shown
    assert "piececode=" + RETURN_PARCEL in shown
    assert 'href="../orders/1001?token=' in shown


def test_a_returns_page_needs_the_token_of_its_own_order(client: Any) -> None:
    given_delivered_order(client)
    return_id = body_of(request_return(client))["return_id"]

    other = page(client, f"/v1/pages/returns/{return_id}", token=token("1002"))
    none = page(client, f"/v1/pages/returns/{return_id}")

    assert (other.status_code, none.status_code) == (403, 401)
    assert "T-Shirt" not in html_of(other)


# -- the links and the contract ------------------------------------------------------------------
def test_the_orders_tracking_url_is_its_tracking_page(client: Any) -> None:
    registered = body_of(post(client, "/v1/orders", order_body()))

    assert registered["tracking_url"] == (
        f"https://track.shop.example/v1/pages/orders/1001?token={registered['token']}"
    )
    path = registered["tracking_url"].removeprefix("https://track.shop.example")
    assert client.get(path).status_code == 200


def test_the_openapi_document_lists_the_pages_as_html(client: Any) -> None:
    paths = json.loads(client.get("/v1/openapi.json").body)["paths"]

    for path, method, status in [
        ("/v1/pages/orders/{order_id}", "get", "200"),
        ("/v1/pages/orders/{order_id}/return", "get", "200"),
        ("/v1/pages/orders/{order_id}/return", "post", "303"),
        ("/v1/pages/returns/{return_id}", "get", "200"),
        ("/v1/pages/orders/{order_id}/rating", "get", "200"),
    ]:
        responses = paths[path][method]["responses"]
        assert list(responses[status]["content"]) == ["text/html"]
        assert list(responses["403"]["content"]) == ["text/html"]
        assert list(responses["404"]["content"]) == ["text/html"]


def test_the_openapi_document_states_what_the_edge_answers_a_form(client: Any) -> None:
    # What the server refuses before a page's form reaches its route: problems, not pages.
    paths = json.loads(client.get("/v1/openapi.json").body)["paths"]

    for path in ("/v1/pages/orders/{order_id}/return", "/v1/pages/orders/{order_id}/rating"):
        responses = paths[path]["post"]["responses"]
        assert list(responses["415"]["content"]) == ["application/problem+json"]
        assert list(responses["413"]["content"]) == ["application/problem+json"]
    rating = paths["/v1/pages/orders/{order_id}/rating"]["post"]
    assert list(rating["responses"]["200"]["content"]) == ["text/html"]  # a changed rating too
    form = rating["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["token", "rating"]
    assert form["properties"]["rating"]["pattern"] == "^(0?[1-9]|10)$"
    assert form["properties"]["comment"]["maxLength"] == COMMENT_MAX


def test_no_page_writes_personal_data_to_the_logs(client: Any) -> None:
    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        given_a_split_order(client)
        page(client, "/v1/pages/orders/1001", token=token())
        page(client, "/v1/pages/orders/1001/return", token=token())
        submit(
            client, token=token(), lang="de", resolution="refund", **{
                "quantity.TSHIRT-M": "1", "reason.TSHIRT-M": "other",
                "note.TSHIRT-M": f"Ruf an: {PERSONAL[2]}, {PERSONAL[1]}",
            },
        )  # fmt: skip
        page(client, "/v1/pages/orders/1001", token="forged")
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]

    text = stream.getvalue()
    for personal in PERSONAL:
        assert personal not in text
