"""Promise rules from the parameter store (PK_PROMISE_RULES_PARAMETER), as a deployment sets."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from chalicelib import deps, settings
from chalicelib.config import loader
from tests.api.factories import body_of
from tests.api.test_promise_quote import option, quote

PARAMETER = "/promise-keeper/rules"


@pytest.fixture
def rules_in_ssm(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The packaged rules with a dearer express, stored as the override document."""
    rules = tomllib.loads((loader.CONFIG_DIR / loader.RULES_FILE).read_text())
    for method in rules["methods"]:
        if method["key"] == "next_day":
            method["price"]["amount"] = "8.40"
    boto3.client("ssm").put_parameter(
        Name=PARAMETER, Value=json.dumps({"rules": rules}), Type="String"
    )
    monkeypatch.setenv("PK_PROMISE_RULES_PARAMETER", PARAMETER)
    parameters.clear_caches()
    settings.reset_caches()
    deps.reset()
    return rules


def test_quotes_use_the_stored_rules_and_build_them_once(
    client: Any, rules_in_ssm: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given rules in the parameter store, and a count of the documents built
    built: list[Mapping[str, Any]] = []
    load_config = loader.load_config

    def counted(document: Mapping[str, Any] | None = None) -> Any:
        built.append(document or {})
        return load_config(document)

    monkeypatch.setattr(loader, "load_config", counted)

    # When the storefront quotes twice
    answers = [body_of(quote(client)) for _ in range(2)]

    # Then both quotes price express from the stored rules, which were built once
    assert [option(answer, "next_day")["price"]["amount"] for answer in answers] == ["8.40"] * 2
    assert len(built) == 1
