"""The return policy as schema.org JSON-LD ``MerchantReturnPolicy``, from the same policy that
POST /v1/orders/{order_id}/returns checks (returns.toml): the window, the excluded SKUs, how
items come back and who pays for it, and the refunds the return API offers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

from chalicelib.domain.returns.policy import ReturnFees, ReturnMethod, ReturnPolicy
from chalicelib.domain.returns.values import ResolutionKind

SCHEMA_ORG = "https://schema.org"
METHODS: dict[ReturnMethod, str] = {
    "by_mail": "ReturnByMail",
    "in_store": "ReturnInStore",
    "at_kiosk": "ReturnAtKiosk",
}
FEES: dict[ReturnFees, str] = {
    "free": "FreeReturn",
    "customer": "ReturnFeesCustomerResponsibility",
    "shipping_fee": "ReturnShippingFees",
}
# Every resolution a return may ask for (values.ResolutionKind), as the refund it is.
REFUNDS: dict[ResolutionKind, str] = {
    "refund": "FullRefund",
    "exchange": "ExchangeRefund",
    "store_credit": "StoreCreditRefund",
}


def merchant_return_policy(
    policy: ReturnPolicy, countries: Sequence[str], currency: str, sku: str | None = None
) -> dict[str, Any]:
    """The policy for `countries`; for a SKU the policy excludes, "returns not permitted"."""
    document: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "MerchantReturnPolicy",
        "applicableCountry": list(countries),
    }
    if (sku is not None and sku in policy.non_returnable) or policy.window_days == 0:
        document["returnPolicyCategory"] = _term("MerchantReturnNotPermitted")
        return document
    document |= {
        "returnPolicyCategory": _term("MerchantReturnFiniteReturnWindow"),
        "merchantReturnDays": policy.window_days,
        "returnMethod": [_term(METHODS[method]) for method in policy.methods],
        "returnFees": _term(FEES[policy.fees]),
        "refundType": [_term(REFUNDS[kind]) for kind in get_args(ResolutionKind)],
    }
    if policy.fees == "shipping_fee" and policy.shipping_fee is not None:
        document["returnShippingFeesAmount"] = {
            "@type": "MonetaryAmount",
            "value": float(policy.shipping_fee),
            "currency": currency,
        }
    return document


def _term(name: str) -> str:
    return f"{SCHEMA_ORG}/{name}"
