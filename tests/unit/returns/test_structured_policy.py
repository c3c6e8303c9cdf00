"""The return policy as schema.org MerchantReturnPolicy: the window, methods, fees and refunds of
the same policy the return API checks, valid in schema.org's published vocabulary."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from chalicelib.config.returns import load_return_policy
from chalicelib.domain.returns import ReturnPolicy
from chalicelib.domain.returns.structured import merchant_return_policy
from tests.schema_org import vocabulary

TERM = "https://schema.org/"


def document(policy: ReturnPolicy, sku: str | None = None) -> dict[str, Any]:
    found = merchant_return_policy(policy, ["AT", "DE"], "EUR", sku)
    assert vocabulary().problems(found) == []
    return found


def test_the_packaged_policy_reads_thirty_days_by_mail_free_with_every_refund() -> None:
    assert document(load_return_policy()) == {
        "@context": "https://schema.org",
        "@type": "MerchantReturnPolicy",
        "applicableCountry": ["AT", "DE"],
        "returnPolicyCategory": f"{TERM}MerchantReturnFiniteReturnWindow",
        "merchantReturnDays": 30,
        "returnMethod": [f"{TERM}ReturnByMail"],
        "returnFees": f"{TERM}FreeReturn",
        "refundType": [f"{TERM}FullRefund", f"{TERM}ExchangeRefund", f"{TERM}StoreCreditRefund"],
    }


def test_a_non_returnable_sku_is_not_permitted_to_go_back() -> None:
    found = document(load_return_policy(), sku="SOCKS-3PACK")

    assert found["returnPolicyCategory"] == f"{TERM}MerchantReturnNotPermitted"
    assert "merchantReturnDays" not in found


def test_a_return_fee_is_stated_with_its_amount() -> None:
    policy = ReturnPolicy(14, methods=("in_store", "at_kiosk"), fees="shipping_fee",
                          shipping_fee=Decimal("4.90"))  # fmt: skip

    found = document(policy)

    assert found["returnFees"] == f"{TERM}ReturnShippingFees"
    assert found["returnShippingFeesAmount"] == {
        "@type": "MonetaryAmount", "value": 4.9, "currency": "EUR",
    }  # fmt: skip
    assert found["returnMethod"] == [f"{TERM}ReturnInStore", f"{TERM}ReturnAtKiosk"]


@pytest.mark.parametrize("fees", ["free", "customer"])
def test_every_fee_setting_is_a_schema_org_term(fees: Any) -> None:
    document(ReturnPolicy(30, fees=fees))


def test_no_window_is_no_return() -> None:
    assert document(ReturnPolicy(0))["returnPolicyCategory"] == (
        f"{TERM}MerchantReturnNotPermitted"
    )
