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


def test_changed_rules_reach_the_quote_after_the_recheck_and_not_before(
    client: Any, rules_in_ssm: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a container that has quoted from the stored rules, and a clock it reads
    clock = [1000.0]
    monkeypatch.setattr(deps, "_monotonic", lambda: clock[0])
    assert option(body_of(quote(client)), "next_day")["price"]["amount"] == "8.40"

    # When the document changes and Powertools' cache of it has expired
    for method in rules_in_ssm["methods"]:
        if method["key"] == "next_day":
            method["price"]["amount"] = "9.10"
    boto3.client("ssm").put_parameter(
        Name=PARAMETER, Value=json.dumps({"rules": rules_in_ssm}), Type="String", Overwrite=True
    )
    parameters.clear_caches()

    # Then quotes within the recheck interval keep the rules they had, without asking for them
    calls: list[str] = []
    get_parameter = parameters.get_parameter

    def counted(name: str, **options: Any) -> Any:
        calls.append(name)
        return get_parameter(name, **options)

    monkeypatch.setattr(parameters, "get_parameter", counted)
    clock[0] += deps.QUOTE_SOURCES_RECHECK_SECONDS - 0.5
    assert option(body_of(quote(client)), "next_day")["price"]["amount"] == "8.40"
    assert calls == []

    # And the first quote after it prices from the new document
    clock[0] += 1.0
    assert option(body_of(quote(client)), "next_day")["price"]["amount"] == "9.10"
    assert calls == [PARAMETER]
