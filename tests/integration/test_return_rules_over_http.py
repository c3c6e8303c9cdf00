"""Rules of returns over the real HTTP path: a token learns nothing about returns of other
orders."""

from __future__ import annotations

import pytest
import requests

from tests.integration.test_returns_end_to_end import a_request, call, given_order

pytestmark = pytest.mark.integration
UNKNOWN_RETURN = "R0123456789AB"


def customer_reads(api: str, path: str) -> requests.Response:
    return requests.get(f"{api}{path}", timeout=30)


@pytest.mark.parametrize("path", ["/v1/returns/{return_id}", "/v1/pages/returns/{return_id}"])
def test_a_token_of_another_order_learns_nothing_about_which_returns_exist(
    api: str, path: str
) -> None:
    given_order(api, "1001")
    other_token = given_order(api, "2002")
    known = call(api, "POST", "/v1/orders/1001/returns", a_request()).json()["return_id"]

    of_another_order = customer_reads(api, path.format(return_id=known) + f"?token={other_token}")
    unknown = customer_reads(api, path.format(return_id=UNKNOWN_RETURN) + f"?token={other_token}")

    assert of_another_order.status_code == unknown.status_code == 403
    assert of_another_order.headers["Content-Type"] == unknown.headers["Content-Type"]
    if path.startswith("/v1/returns"):
        first, second = of_another_order.json(), unknown.json()
        assert (first["code"], first["detail"]) == (second["code"], second["detail"])
    else:
        assert of_another_order.text == unknown.text


@pytest.mark.parametrize("path", ["/v1/returns/{return_id}", "/v1/pages/returns/{return_id}"])
def test_the_orders_own_token_reads_its_return_and_the_merchant_learns_what_is_unknown(
    api: str, path: str
) -> None:
    token = given_order(api, "1001")
    known = call(api, "POST", "/v1/orders/1001/returns", a_request()).json()["return_id"]

    assert customer_reads(api, path.format(return_id=known) + f"?token={token}").status_code == 200
    assert call(api, "GET", f"/v1/returns/{UNKNOWN_RETURN}").status_code == 404
