"""The withdrawal function over HTTP: the two steps of the page, the storefront's API, the
acknowledgement through the notification pipeline, the merchant's reads and the return."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.domain.outbox import OutboxMessage, QueuedNotification
from devstack.environment import REGION
from devstack.mailbox import sent_emails
from tests.api.factories import MERCHANT, body_of, html_of, post
from tests.api.returns_steps import given_delivered_order, given_order
from tests.api.test_notifications import invoke_sender, sqs_record, table_items

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
PAGE = "/v1/pages/withdrawal"
ANNA = {"name": "Anna Schmidt", "order_id": "1001", "email": "anna@example.com"}


def form_post(client: Any, path: str, fields: dict[str, str]) -> Any:
    return client.post(path, headers=FORM, body=urlencode(fields).encode())


def declare_on_page(client: Any, **fields: str) -> Any:
    """Both steps as a browser takes them: the form, then the summary's confirm button."""
    values = {**ANNA, "lang": "de", **fields}
    review = form_post(client, PAGE, values)
    assert review.status_code == 200, html_of(review)
    assert "Widerruf bestätigen" in html_of(review)
    return form_post(client, f"{PAGE}/confirm", hidden_fields(html_of(review), "confirm"))


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The fields the summary's form posts (action withdrawal/<action>)."""
    form = html.split(f'action="withdrawal/{action}"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def declare(client: Any, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/v1/withdrawals", headers=headers, body=json.dumps(body).encode())


def withdrawal_items(aws: dict[str, Any]) -> list[dict[str, Any]]:
    found = boto3.client("dynamodb").scan(TableName=aws["table"])["Items"]
    return [i for i in found if i["SK"]["S"] == "WITHDRAWAL"]


def send_acknowledgement(aws: dict[str, Any], withdrawal_id: str) -> Any:
    """The outbox record, as the relay hands it to the sender."""
    (item,) = table_items(aws["table"], f"OUTBOX#{withdrawal_id}")
    message = OutboxMessage.model_validate_json(item["message"]["S"])
    body = QueuedNotification(message=message).model_dump_json()
    return invoke_sender([sqs_record(f"m-{withdrawal_id}", body)])


def merchant_list(client: Any, query: str = "") -> list[dict[str, Any]]:
    today = datetime.now(UTC).date().isoformat()
    response = client.get(f"/v1/withdrawals?from={today}&to={today}{query}", headers=MERCHANT)
    assert response.status_code == 200, response.body
    found: list[dict[str, Any]] = body_of(response)["withdrawals"]
    return found


def reference_of(html: str) -> str:
    match = re.search(r"W[0-9A-F]{12}", html)
    assert match is not None
    return match.group(0)


# -- step one -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "button"), [("de", "Vertrag widerrufen"), ("en", "Withdraw from contract here")]
)
def test_step_one_is_a_labelled_form_in_each_language(client: Any, lang: str, button: str) -> None:
    response = client.get(f"{PAGE}?lang={lang}")

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    html = html_of(response)
    assert f'<html lang="{lang}">' in html and "<main>" in html and "<script" not in html
    assert f'<button type="submit">{button}</button>' in html
    for field in ("name", "order_id", "email"):
        assert f'<label for="{field}">' in html and f'id="{field}" name="{field}"' in html


def test_a_link_with_the_orders_token_offers_its_items_to_choose(client: Any) -> None:
    token = given_order(client)

    html = html_of(client.get(f"{PAGE}?lang=de&order_id=1001&token={token}"))

    assert 'value="1001"' in html
    assert 'name="item.TSHIRT-M" value="2"' in html and "T-Shirt M" in html
    assert "Becher blau" in html


def test_without_the_token_no_item_of_the_order_is_shown(client: Any) -> None:
    given_order(client)

    html = html_of(client.get(f"{PAGE}?lang=de&order_id=1001&token=forged"))

    assert 'value="1001"' in html and "T-Shirt M" not in html and "item." not in html


def test_a_missing_field_shows_the_form_again_with_the_error_at_that_field(
    client: Any, aws: dict[str, Any]
) -> None:
    response = form_post(client, PAGE, {**ANNA, "email": "", "lang": "de"})

    assert response.status_code == 422
    html = html_of(response)
    assert 'id="email" name="email" value="" required' in html
    assert 'aria-invalid="true" aria-describedby="email-error"' in html
    assert 'id="email-error"' in html and 'id="name-error"' not in html
    assert 'value="Anna Schmidt"' in html  # what was entered stays
    assert withdrawal_items(aws) == []


def test_an_overlong_name_is_refused_at_the_name(client: Any) -> None:
    response = form_post(client, PAGE, {**ANNA, "name": "A" * 201, "lang": "en"})

    assert response.status_code == 422
    assert 'aria-describedby="name-error"' in html_of(response)


def test_the_summary_records_nothing_yet(client: Any, aws: dict[str, Any]) -> None:
    response = form_post(client, PAGE, {**ANNA, "lang": "en"})

    html = html_of(response)
    assert response.status_code == 200
    assert '<button type="submit">Confirm withdrawal</button>' in html
    assert "I hereby withdraw from the contract" in html and "anna@example.com" in html
    assert withdrawal_items(aws) == []


# -- step two and the acknowledgement -------------------------------------------------------------
def test_confirming_records_the_declaration_and_shows_the_time_of_receipt(
    client: Any, aws: dict[str, Any]
) -> None:
    given_order(client)
    before = datetime.now(UTC)

    response = declare_on_page(client)

    assert response.status_code == 201
    html = html_of(response)
    assert "Dein Widerruf ist eingegangen" in html
    assert re.search(r"Eingegangen am \w+, \d+\. \w+ \d{4}, \d\d:\d\d Uhr \(UTC\+0[12]:00", html)
    (stored,) = merchant_list(client)
    assert stored["withdrawal_id"] == reference_of(html)
    assert stored["matched"] is True and stored["period"]["state"] == "not_delivered"
    assert datetime.fromisoformat(stored["received_at"]) >= before


def test_the_acknowledgement_repeats_what_was_declared_and_nothing_of_the_order(
    client: Any, aws: dict[str, Any]
) -> None:
    given_order(client)
    withdrawal_id = reference_of(html_of(declare_on_page(client, email=" ANNA@example.com ")))

    send_acknowledgement(aws, withdrawal_id)

    (mail,) = sent_emails(REGION)
    assert mail.to == ["ANNA@example.com"] and mail.language == "de"
    assert mail.subject == "Eingangsbestätigung deines Widerrufs zur Bestellung 1001"
    assert "Hiermit widerrufe ich den Vertrag." in mail.text
    assert "Name: Anna Schmidt" in mail.text and "Bestellnummer: 1001" in mail.text
    assert re.search(r"Eingegangen am: .+ \d{4}, \d\d:\d\d Uhr \(UTC[+-]\d\d:\d\d\)", mail.text)
    assert "Beispiel-Shop" in mail.text
    for from_the_order in ("T-Shirt", "Becher", "Berlin", "10115", "+4915112345678"):
        assert from_the_order not in mail.text and from_the_order not in mail.html


def test_items_chosen_on_the_page_are_declared_and_acknowledged(
    client: Any, aws: dict[str, Any]
) -> None:
    token = given_order(client)

    response = declare_on_page(client, token=token, **{"item.MUG-BLUE": "1"})

    assert response.status_code == 201 and "Becher blau" in html_of(response)
    (stored,) = merchant_list(client)
    assert stored["items"] == [{"sku": "MUG-BLUE", "quantity": 1}]
    send_acknowledgement(aws, stored["withdrawal_id"])
    (mail,) = sent_emails(REGION)
    assert "MUG-BLUE" in mail.text and "1 × MUG-BLUE" in mail.html


def test_an_unmatched_declaration_looks_the_same_and_is_kept_for_review(
    client: Any, aws: dict[str, Any]
) -> None:
    given_order(client)
    matched = declare_on_page(client)
    unmatched = declare_on_page(client, email="someone@else.example")
    unknown = declare_on_page(client, order_id="9999", email="x@else.example")

    for response in (matched, unmatched, unknown):
        assert response.status_code == 201
        assert "Dein Widerruf ist eingegangen" in html_of(response)
    assert [w["matched"] for w in merchant_list(client)] == [True, False, False]
    assert len(merchant_list(client, "&matched=false")) == 2
    (declared,) = merchant_list(client, "&matched=true")
    assert "period" in declared
    assert all("period" not in w for w in merchant_list(client, "&matched=false"))
    for w in merchant_list(client, "&matched=false"):
        send_acknowledgement(aws, w["withdrawal_id"])
    sent_to = sorted(m.to[0] for m in sent_emails(REGION))
    assert sent_to == ["someone@else.example", "x@else.example"]


def test_the_same_declaration_twice_within_the_hour_is_one_declaration_and_one_email(
    client: Any, aws: dict[str, Any]
) -> None:
    first = declare_on_page(client)
    again = declare_on_page(client, name="  anna   schmidt ")

    assert (first.status_code, again.status_code) == (201, 200)
    assert reference_of(html_of(first)) == reference_of(html_of(again))
    (stored,) = merchant_list(client)
    send_acknowledgement(aws, stored["withdrawal_id"])
    send_acknowledgement(aws, stored["withdrawal_id"])  # the queue delivered it twice
    assert len(sent_emails(REGION)) == 1


def test_an_address_gets_a_limited_number_of_acknowledgements_a_day(
    client: Any, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PK_WITHDRAWAL_DAILY_ACKNOWLEDGEMENTS", "2")
    for order_id in ("2001", "2002", "2003"):
        assert declare_on_page(client, order_id=order_id).status_code == 201

    declared = merchant_list(client)
    assert [w["acknowledgement"] for w in declared] == ["sent", "sent", "limited"]
    for w in declared:
        send_acknowledgement(aws, w["withdrawal_id"])
    assert len(sent_emails(REGION)) == 2


def test_when_the_record_cannot_be_written_the_page_says_not_received(
    client: Any, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    review = form_post(client, PAGE, {**ANNA, "lang": "de"})
    from chalicelib.store.withdrawals import WithdrawalStore

    def unavailable(self: Any, new: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "TransactWriteItems"
        )

    monkeypatch.setattr(WithdrawalStore, "create", unavailable)
    response = form_post(client, f"{PAGE}/confirm", hidden_fields(html_of(review), "confirm"))

    assert response.status_code == 503
    html = html_of(response)
    assert "Dein Widerruf ist NICHT eingegangen" in html and "ist eingegangen" not in html
    assert "Widerruf bestätigen" in html  # the consumer can confirm again
    assert withdrawal_items(aws) == []


# -- the storefront's API -------------------------------------------------------------------------
def test_the_api_answers_the_same_receipt_matched_or_not(client: Any) -> None:
    given_order(client)

    matched = declare(client, ANNA)
    unmatched = declare(client, {**ANNA, "order_id": "4711"})

    assert (matched.status_code, unmatched.status_code) == (201, 201)
    assert set(body_of(matched)) == set(body_of(unmatched)) == {"withdrawal_id", "received_at"}


def test_the_api_is_idempotent_with_an_idempotency_key(client: Any) -> None:
    first = declare(client, ANNA, key="w-1")
    again = declare(client, ANNA, key="w-1")
    other = declare(client, {**ANNA, "name": "Bert"}, key="w-1")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert body_of(first) == body_of(again)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in ANNA.items() if k != "name"}, "name"),
        ({**ANNA, "name": "A" * 201}, "name"),
        ({**ANNA, "email": "not-an-address"}, "email"),
        ({**ANNA, "order_id": "10 01"}, "order_id"),
        ({**ANNA, "items": [{"sku": "MUG-BLUE", "quantity": 0}]}, "items"),
    ],
)
def test_bad_input_is_a_problem_at_the_field_and_records_nothing(
    client: Any, aws: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    response = declare(client, body)

    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in [e["loc"][0] for e in body_of(response)["errors"]]
    assert "Anna" not in response.body.decode() and withdrawal_items(aws) == []


# -- the merchant ---------------------------------------------------------------------------------
def test_the_merchant_reads_a_declaration_and_the_order_lists_it(client: Any) -> None:
    given_delivered_order(client, days_ago=3)
    withdrawal_id = body_of(declare(client, ANNA))["withdrawal_id"]

    one = body_of(client.get(f"/v1/withdrawals/{withdrawal_id}", headers=MERCHANT))
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))

    assert one["name"] == "Anna Schmidt" and one["email"] == "anna@example.com"
    assert one["period"]["state"] == "within" and one["period"]["days"] == 14
    assert one["acknowledgement"] == "sent"
    assert datetime.fromisoformat(one["retain_until"]) > datetime.now(UTC) + timedelta(days=3 * 365)
    assert [w["withdrawal_id"] for w in order["withdrawals"]] == [withdrawal_id]


def test_a_late_declaration_is_recorded_and_marked_expired(client: Any) -> None:
    given_delivered_order(client, days_ago=20)

    withdrawal_id = body_of(declare(client, ANNA))["withdrawal_id"]

    one = body_of(client.get(f"/v1/withdrawals/{withdrawal_id}", headers=MERCHANT))
    assert one["matched"] is True and one["period"]["state"] == "expired"


def test_the_merchants_reads_need_the_merchant_key(client: Any) -> None:
    today = datetime.now(UTC).date().isoformat()
    assert client.get(f"/v1/withdrawals?from={today}&to={today}").status_code == 401
    assert client.get("/v1/withdrawals/W000000000000").status_code == 401
    assert client.get("/v1/withdrawals/W000000000000", headers=MERCHANT).status_code == 404


# -- into a return --------------------------------------------------------------------------------
def test_a_matched_declaration_becomes_a_return_beyond_the_return_window(client: Any) -> None:
    given_delivered_order(client, days_ago=40)  # the shop's 30-day window has closed
    one_shirt = {**ANNA, "items": [{"sku": "TSHIRT-M", "quantity": 1}]}
    withdrawal_id = body_of(declare(client, one_shirt))["withdrawal_id"]

    opened = post(client, f"/v1/withdrawals/{withdrawal_id}/return", {})
    again = post(client, f"/v1/withdrawals/{withdrawal_id}/return", {})

    assert (opened.status_code, again.status_code) == (201, 200)
    view = body_of(opened)
    assert body_of(again)["return_id"] == view["return_id"]
    assert view["resolution"] == "refund" and view["status"] == "requested"
    assert view["items"] == [{"sku": "TSHIRT-M", "quantity": 1, "reason": "withdrawal"}]
    one = body_of(client.get(f"/v1/withdrawals/{withdrawal_id}", headers=MERCHANT))
    assert one["return_id"] == view["return_id"]
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert [r["return_id"] for r in order["returns"]] == [view["return_id"]]


def test_without_chosen_items_the_whole_order_goes_back(client: Any) -> None:
    given_delivered_order(client, days_ago=2)
    withdrawal_id = body_of(declare(client, ANNA))["withdrawal_id"]

    view = body_of(post(client, f"/v1/withdrawals/{withdrawal_id}/return", {}))

    assert {(i["sku"], i["quantity"]) for i in view["items"]} == {("TSHIRT-M", 2), ("MUG-BLUE", 1)}


def test_an_unmatched_declaration_opens_no_return(client: Any) -> None:
    withdrawal_id = body_of(declare(client, {**ANNA, "order_id": "4711"}))["withdrawal_id"]

    response = post(client, f"/v1/withdrawals/{withdrawal_id}/return", {})

    assert response.status_code == 409
    assert body_of(response)["code"] == "return_not_allowed"


def test_the_openapi_document_describes_the_withdrawal_routes(client: Any) -> None:
    paths = body_of(client.get("/v1/openapi.json"))["paths"]

    assert {"post", "get"} <= set(paths["/v1/withdrawals"])
    assert "get" in paths["/v1/withdrawals/{withdrawal_id}"]
    assert "post" in paths["/v1/withdrawals/{withdrawal_id}/return"]
    assert {"get", "post"} <= set(paths[PAGE]) and "post" in paths[f"{PAGE}/confirm"]


def test_the_api_answers_503_and_records_nothing_when_the_table_cannot_take_it(
    client: Any, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.store.withdrawals import WithdrawalStore

    def unavailable(self: Any, new: Any) -> None:
        raise ClientError({"Error": {"Code": "InternalServerError"}}, "TransactWriteItems")

    monkeypatch.setattr(WithdrawalStore, "create", unavailable)
    response = declare(client, ANNA)

    assert response.status_code == 503
    assert body_of(response)["code"] == "service_unavailable"
    assert "Anna" not in response.body.decode() and withdrawal_items(aws) == []


def test_the_tracking_page_links_the_function_while_the_period_lasts(client: Any) -> None:
    token = given_delivered_order(client, days_ago=3)

    html = html_of(client.get(f"/v1/pages/orders/1001?token={token}&lang=de"))

    link = f'href="../withdrawal?order_id=1001&amp;token={token}&amp;lang=de">Vertrag widerrufen'
    assert link in html
    form = html_of(client.get(f"{PAGE}?order_id=1001&token={token}&lang=de"))
    assert 'name="item.TSHIRT-M"' in form  # the link's token offers the order's items


def test_after_the_period_the_tracking_page_no_longer_links_it(client: Any) -> None:
    token = given_delivered_order(client, days_ago=20)

    html = html_of(client.get(f"/v1/pages/orders/1001?token={token}&lang=de"))

    assert "withdrawal?" not in html
