"""A product page assembles its structured data and frames the widget over the real HTTP path
(Chalice's local server on the embedded AWS), as docs/api.md's product-page example does."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.schema_org import vocabulary

pytestmark = pytest.mark.integration


def product_json_ld(details: dict[str, Any], policy: dict[str, Any]) -> dict[str, Any]:
    """The product page's JSON-LD: the shop's own Product and Offer, with Promise Keeper's
    shipping details and return policy (without their own @context) dropped in."""
    return {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "T-Shirt M",
        "sku": "TSHIRT-M",
        "offers": {
            "@type": "Offer",
            "price": "29.90",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "shippingDetails": details["shippingDetails"],
            "hasMerchantReturnPolicy": {k: v for k, v in policy.items() if k != "@context"},
        },
    }


def test_a_product_page_gets_its_structured_data_and_its_widget(api: str) -> None:
    shipping = requests.get(
        f"{api}/v1/promise/shipping-details",
        params={"country": "DE", "postal_code": "10115", "sku": "TSHIRT-M"},
        timeout=30,
    )
    policy = requests.get(f"{api}/v1/returns/policy", params={"country": "DE"}, timeout=30)
    widget = requests.get(
        f"{api}/v1/pages/promise",
        params={"country": "DE", "postal_code": "10115", "sku": "TSHIRT-M", "lang": "de"},
        timeout=30,
    )

    assert shipping.status_code == policy.status_code == widget.status_code == 200
    assert shipping.headers["Content-Type"] == "application/ld+json"
    product = product_json_ld(shipping.json(), policy.json())
    assert vocabulary().problems(product) == []
    assert len(product["offers"]["shippingDetails"]) >= 3
    assert "Bestellt bis" in widget.text and widget.headers["Cache-Control"].startswith("public")
