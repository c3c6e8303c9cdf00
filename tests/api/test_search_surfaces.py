"""Where shoppers decide, over the real HTTP path: the schema.org shipping details and return
policy, Merchant Center delivery times and the product-page widget, from the quote's rules."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from jsonschema import Draft202012Validator

from chalicelib import settings
from tests.api.factories import body_of, html_of
from tests.schema_org import vocabulary

AT = "2026-12-23T16:30:00+01:00"  # before the warehouse's 17:00 cut-off
JSON_LD = "application/ld+json"
TERM = "https://schema.org/"


def get(client: Any, path: str, **params: Any) -> Any:
    return client.get(f"{path}?{urlencode(params)}" if params else path)


def details(client: Any, **params: Any) -> Any:
    return get(client, "/v1/promise/shipping-details", **params)


def widget(client: Any, **params: Any) -> Any:
    query = {"country": "DE", "postal_code": "10115", "sku": "TSHIRT-M", "at": AT, **params}
    return get(client, "/v1/pages/promise", **query)


def max_age(response: Any) -> int:
    found = re.fullmatch(r"public, max-age=([0-9]+)", response.headers["Cache-Control"])
    assert found, response.headers["Cache-Control"]
    return int(found.group(1))


def assert_matches_the_openapi_schema(client: Any, path: str, response: Any) -> None:
    doc = json.loads(client.get("/v1/openapi.json").body)
    content = doc["paths"][path]["get"]["responses"]["200"]["content"]
    media_type = response.headers["Content-Type"]
    schema = {**content[media_type]["schema"], "components": doc["components"]}
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(body_of(response))]
    assert errors == []


def test_shipping_details_are_json_ld_in_schema_org_s_vocabulary(client: Any) -> None:
    response = details(client, country="DE", postal_code="10115", sku="TSHIRT-M", at=AT)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON_LD
    body = body_of(response)
    assert vocabulary().problems(body) == []
    assert body["@context"] == "https://schema.org"
    cutoffs = {e["deliveryTime"]["cutoffTime"] for e in body["shippingDetails"]}
    assert cutoffs == {"11:00:00+01:00", "15:00:00+01:00", "17:00:00+01:00"}
    assert 0 <= max_age(response) <= 3600
    assert response.headers["X-Promise-Calendar"] == "holidays:DE-BE"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == "X-Promise-Calendar"
    assert_matches_the_openapi_schema(client, "/v1/promise/shipping-details", response)


def test_shipping_details_state_the_quote_s_transit_days_per_method(client: Any) -> None:
    body = body_of(details(client, country="AT", sku="TSHIRT-M", at=AT))

    (only,) = body["shippingDetails"]
    transit = only["deliveryTime"]["transitTime"]
    assert (transit["minValue"], transit["maxValue"]) == (2, 4)  # standard-at's rule
    assert only["shippingRate"] == {"@type": "MonetaryAmount", "value": 9.9, "currency": "EUR"}


def test_an_odd_postal_code_falls_back_to_the_national_calendar_and_says_so(client: Any) -> None:
    response = details(client, country="DE", postal_code="00001", at=AT)

    assert response.status_code == 200
    assert response.headers["X-Promise-Calendar"] == "holidays:DE"


def test_a_country_the_shop_does_not_ship_to_does_not_ship(client: Any) -> None:
    response = details(client, country="FR", postal_code="75001")

    assert body_of(response)["shippingDetails"] == [
        {
            "@type": "OfferShippingDetails",
            "shippingDestination": {
                "@type": "DefinedRegion", "addressCountry": "FR", "postalCode": "75001",
            },
            "doesNotShip": True,
        }
    ]  # fmt: skip
    assert vocabulary().problems(body_of(response)) == []


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/promise/shipping-details", {"country": "XX"}),
        ("/v1/promise/merchant-center", {"country": "QQ"}),
        ("/v1/returns/policy", {"country": "ZZ"}),
    ],
)
def test_an_unknown_country_is_422_naming_where_the_rules_ship(
    client: Any, path: str, params: dict[str, str]
) -> None:
    response = get(client, path, **params)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = body_of(response)
    assert problem["code"] == "validation_error"
    assert problem["errors"] == [
        {"loc": ["country"],
         "msg": f"Unknown country code '{params['country']}': the rules ship to AT, DE"}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"country": "de"}, ["country"]),
        ({"country": "DE", "postal_code": "1011"}, ["postal_code"]),
        ({"country": "DE", "sku": "NO-SUCH-SKU"}, ["sku"]),
        ({"country": "DE", "utm_source": "mail"}, ["utm_source"]),
        ({"country": "DE", "at": "tomorrow"}, ["at"]),
    ],
)
def test_bad_input_is_a_problem(client: Any, params: dict[str, str], loc: list[str]) -> None:
    response = details(client, **params)

    assert response.status_code == 422
    assert [e["loc"] for e in body_of(response)["errors"]] == [loc]


def test_merchant_center_delivery_times_per_country(client: Any) -> None:
    response = get(client, "/v1/promise/merchant-center", country="DE")

    assert response.status_code == 200
    body = body_of(response)
    standard = next(s for s in body["services"] if s["serviceName"] == "standard-de")
    assert standard["deliveryTime"]["cutoffTime"] == {
        "hour": 17, "minute": 0, "timeZone": "Europe/Berlin",
    }  # fmt: skip
    assert body["regional"][0]["postal_codes"] == ["10000-14199"]
    assert max_age(response) == 3600
    assert_matches_the_openapi_schema(client, "/v1/promise/merchant-center", response)


def test_the_return_policy_is_json_ld_for_the_countries_shipped_to(client: Any) -> None:
    everywhere = get(client, "/v1/returns/policy")
    austria = get(client, "/v1/returns/policy", country="AT")
    socks = get(client, "/v1/returns/policy", sku="SOCKS-3PACK")

    assert everywhere.headers["Content-Type"] == JSON_LD
    assert body_of(everywhere)["applicableCountry"] == ["AT", "DE"]
    assert body_of(everywhere)["merchantReturnDays"] == 30
    assert body_of(austria)["applicableCountry"] == ["AT"]
    assert body_of(socks)["returnPolicyCategory"] == f"{TERM}MerchantReturnNotPermitted"
    for response in (everywhere, austria, socks):
        assert vocabulary().problems(body_of(response)) == []
        assert_matches_the_openapi_schema(client, "/v1/returns/policy", response)


def test_the_return_policy_of_a_country_not_shipped_to_is_refused(client: Any) -> None:
    response = get(client, "/v1/returns/policy", country="FR")

    assert response.status_code == 422
    assert body_of(response)["errors"][0]["msg"] == "The return policy applies to AT, DE"


def test_the_widget_says_each_method_s_dates_and_cut_off_in_words(client: Any) -> None:
    response = widget(client, lang="de")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = html_of(response)
    assert "Bestellt bis 17:00, geliefert zwischen Donnerstag, 24. Dezember und Montag, " \
        "28. Dezember" in page  # fmt: skip
    # The method's name alone: the sentence under it says when
    assert "<strong>Standard</strong> · 4,90 EUR" in page
    # Express leaves on the 28th: the warehouse closes on the 24th, then the holidays.
    assert "Bestellt bis Montag, 28. Dezember, 15:00, geliefert am Dienstag, 29. Dezember" in page
    assert "<strong>Economy</strong> · kostenlos" in page
    assert "<script" not in page
    assert max_age(response) <= 3600


def test_the_widget_speaks_english_and_shows_the_quote_s_own_dates(client: Any) -> None:
    page = html_of(widget(client, lang="en"))
    quote = body_of(
        get(client, "/v1/promise/quote", country="DE", postal_code="10115", sku="TSHIRT-M", at=AT)
    )

    standard = next(o for o in quote["options"] if o["method"] == "standard")
    assert standard["delivery"] == {"earliest": "2026-12-24", "latest": "2026-12-28"}
    assert "Order by 17:00, delivered between Thursday, 24 December and Monday, 28 December" in page
    assert '<html lang="en">' in page


def test_the_widget_follows_the_browser_s_language(client: Any) -> None:
    query = urlencode({"country": "DE", "postal_code": "10115", "sku": "TSHIRT-M", "at": AT})
    response = client.get(f"/v1/pages/promise?{query}", headers={"Accept-Language": "de-AT"})

    assert "Bestellt bis" in html_of(response)


def test_the_widget_is_framed_only_by_the_configured_shop_origins(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    unset = widget(client).headers["Content-Security-Policy"]
    monkeypatch.setenv(
        "PK_WIDGET_FRAME_ANCESTORS", "https://shop.example, https://*.shop.example x; script-src *"
    )
    settings.reset_caches()
    configured = widget(client).headers["Content-Security-Policy"]

    assert unset.endswith("frame-ancestors 'none'")
    assert configured.endswith("frame-ancestors https://shop.example https://*.shop.example")
    assert "script-src" not in configured
    assert "default-src 'none'" in configured


def test_an_odd_postal_code_in_the_widget_says_the_national_holidays_apply(client: Any) -> None:
    page = html_of(widget(client, postal_code="00001", lang="de"))

    assert "Die Postleitzahl 00001 kennen wir nicht" in page
    assert "Bestellt bis" in page


def test_the_widget_for_a_country_not_shipped_to_says_so(client: Any) -> None:
    response = widget(client, country="FR", postal_code="75001", lang="de")

    assert response.status_code == 200
    assert "An diese Adresse liefern wir leider nicht." in html_of(response)


def test_bad_widget_input_is_an_error_page_the_shop_may_frame(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PK_WIDGET_FRAME_ANCESTORS", "https://shop.example")
    settings.reset_caches()

    unknown = widget(client, country="XX", lang="de")
    too_many = widget(client, quantity="1000", lang="en")

    for response in (unknown, too_many):
        assert response.status_code == 422
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Content-Security-Policy"].endswith(
            "frame-ancestors https://shop.example"
        )
    assert "Bitte prüfe deine Angaben" in html_of(unknown)


def test_the_openapi_document_lists_the_new_routes(client: Any) -> None:
    paths = json.loads(client.get("/v1/openapi.json").body)["paths"]

    assert JSON_LD in paths["/v1/promise/shipping-details"]["get"]["responses"]["200"]["content"]
    assert JSON_LD in paths["/v1/returns/policy"]["get"]["responses"]["200"]["content"]
    assert "/v1/promise/merchant-center" in paths
    widget_params = {p["name"] for p in paths["/v1/pages/promise"]["get"]["parameters"]}
    assert widget_params >= {"country", "postal_code", "sku", "quantity", "lang"}
