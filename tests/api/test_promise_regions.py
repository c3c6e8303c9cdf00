"""The destination's own holidays over the real HTTP path: the quote and its explanation."""

from __future__ import annotations

import json
from typing import Any

from tests.api.factories import body_of

JSON = {"Content-Type": "application/json"}


def standard(client: Any, postal_code: str, *, via_get: bool = False) -> dict[str, Any]:
    at = "2027-01-05T10:00:00+01:00"  # the day before Epiphany, a holiday in Bavaria only
    if via_get:
        query = f"country=DE&postal_code={postal_code}&sku=TSHIRT-M&quantity=1&at={at}"
        response = client.get(f"/v1/promise/quote?{query.replace('+', '%2B')}&explain=true")
    else:
        body = {
            "destination": {"country": "DE", "postal_code": postal_code},
            "items": [{"sku": "TSHIRT-M", "quantity": 1}],
            "at": at,
            "explain": True,
        }
        response = client.post("/v1/promise/quote", headers=JSON, body=json.dumps(body))
    assert response.status_code == 200
    return next(o for o in body_of(response)["options"] if o["method"] == "standard")


def calendar_of(option: dict[str, Any]) -> dict[str, Any]:
    return next(step for step in option["explain"] if step["step"] == "calendar")


def test_given_a_munich_address_when_quoting_then_epiphany_is_skipped(client: Any) -> None:
    munich = standard(client, "80331")
    berlin = standard(client, "10115")

    assert munich["delivery"] == {"earliest": "2027-01-07", "latest": "2027-01-08"}
    assert berlin["delivery"] == {"earliest": "2027-01-06", "latest": "2027-01-07"}
    assert calendar_of(munich)["reason"] == "holidays:DE-BY"
    skipped = [s for s in munich["explain"] if s["step"] == "skipped" and "location" not in s]
    assert {"date": "2027-01-06", "reason": "public_holiday:Heilige Drei Könige"}.items() <= (
        skipped[0].items()
    )


def test_given_an_unknown_postal_code_then_national_holidays_apply_and_explain_says_so(
    client: Any,
) -> None:
    unknown = standard(client, "00999", via_get=True)

    assert unknown["delivery"] == {"earliest": "2027-01-06", "latest": "2027-01-07"}
    calendar = calendar_of(unknown)
    assert calendar["reason"] == "holidays:DE"
    assert "not in the subdivision table" in calendar["detail"]
