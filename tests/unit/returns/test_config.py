"""The return policy file: the packaged one loads, a bad one names the field."""

from __future__ import annotations

import pytest

from chalicelib.config.returns import load_return_policy, parse_return_policy
from chalicelib.domain.promise.schema import RuleConfigError
from chalicelib.domain.returns import ReturnPolicy


def test_the_packaged_policy_gives_thirty_days_and_keeps_socks() -> None:
    assert load_return_policy() == ReturnPolicy(30, frozenset({"SOCKS-3PACK"}))
    assert load_return_policy() is load_return_policy()  # once per container


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"window_days": -1}, "window_days"),
        ({"window_days": "30"}, "window_days"),
        ({}, "window_days"),
        ({"window_days": 14, "non_returnable": [""]}, "non_returnable.0"),
        ({"window_days": 14, "windows": 3}, "windows"),
        ({"window_days": 14, "return_methods": ["by_drone"]}, "return_methods.0"),
        ({"window_days": 14, "return_methods": []}, "return_methods"),
        ({"window_days": 14, "countries": ["de"]}, "countries.0"),
        ({"window_days": 14, "return_fees": "shipping_fee"}, "(document)"),
        ({"window_days": 14, "return_shipping_fee": "4.90"}, "(document)"),
        (
            {"window_days": 14, "return_fees": "shipping_fee", "return_shipping_fee": "4,90"},
            "return_shipping_fee",
        ),
    ],
)
def test_a_bad_policy_names_the_file_and_the_field(document: dict[str, object], field: str) -> None:
    with pytest.raises(RuleConfigError) as error:
        parse_return_policy(document)

    assert (error.value.source, error.value.field) == ("returns.toml", field)


def test_what_shoppers_read_of_the_policy_is_part_of_the_file() -> None:
    policy = parse_return_policy(
        {"window_days": 14, "return_methods": ["in_store", "by_mail", "in_store"],
         "return_fees": "shipping_fee", "return_shipping_fee": "4.90", "countries": ["AT"]}
    )  # fmt: skip

    assert policy.methods == ("in_store", "by_mail")
    assert (policy.fees, str(policy.shipping_fee), policy.countries) == (
        "shipping_fee", "4.90", ("AT",),
    )  # fmt: skip
