"""Secrets fail closed: outside the local stack a missing or incomplete secret stops the function
at first use with a clear error, and no stage ever runs on the well-known development values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from chalicelib import settings
from chalicelib.domain.tracking import SOURCES
from chalicelib.settings import SecretsUnavailable, get_secrets, sha256_hex

SECRET_NAME = "promise-keeper/test"
COMPLETE: dict[str, Any] = {
    "merchant_api_key_sha256": [sha256_hex("shop-key")],
    "webhook_secrets": {source: f"{source}-secret" for source in settings.webhook_sources()},
    "token_secret": "token-secret",
    "merchant_webhook_secret": "mirror-secret",
}


@pytest.fixture
def secrets_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A deployed function: PK_SECRETS_NAME set, secrets read from (moto's) Secrets Manager."""
    monkeypatch.setenv("PK_SECRETS_NAME", SECRET_NAME)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "promise-keeper-test-APIHandler")
    parameters.clear_caches()
    settings.reset_caches()
    with mock_aws():
        yield boto3.client("secretsmanager")
    parameters.clear_caches()


def store(client: Any, document: Any) -> None:
    client.create_secret(Name=SECRET_NAME, SecretString=json.dumps(document))


def test_a_complete_secret_is_read_from_secrets_manager(secrets_manager: Any) -> None:
    store(secrets_manager, COMPLETE)

    secrets = get_secrets()

    assert secrets.merchant_key_hashes == (sha256_hex("shop-key"),)
    assert secrets.webhook_secrets["aftership"] == "aftership-secret"
    assert secrets.token_secret == "token-secret"
    assert secrets.merchant_webhook_secret == "mirror-secret"


def test_a_cached_secret_is_checked_once_and_a_rotated_one_again(secrets_manager: Any) -> None:
    store(secrets_manager, COMPLETE)
    first = get_secrets()

    assert get_secrets() is first  # the same cached document: not parsed again per request

    secrets_manager.put_secret_value(
        SecretId=SECRET_NAME, SecretString=json.dumps({**COMPLETE, "token_secret": "rotated"})
    )
    parameters.clear_caches()  # what Powertools does when max_age has passed
    assert get_secrets().token_secret == "rotated"


@pytest.mark.parametrize("field", settings.SECRET_FIELDS)
def test_a_secret_missing_a_field_stops_the_function_naming_the_field(
    secrets_manager: Any, field: str
) -> None:
    store(secrets_manager, {key: value for key, value in COMPLETE.items() if key != field})

    with pytest.raises(SecretsUnavailable, match=field) as raised:
        get_secrets()
    # The error names what is missing, never a secret value.
    assert "token-secret" not in str(raised.value) and "mirror-secret" not in str(raised.value)


def test_an_empty_merchant_webhook_secret_is_incomplete_not_an_empty_key(
    secrets_manager: Any,
) -> None:
    store(secrets_manager, {**COMPLETE, "merchant_webhook_secret": ""})

    with pytest.raises(SecretsUnavailable, match="merchant_webhook_secret"):
        get_secrets()


def test_a_webhook_source_without_its_secret_is_incomplete(secrets_manager: Any) -> None:
    sources = {**COMPLETE["webhook_secrets"], "shippo": ""}
    store(secrets_manager, {**COMPLETE, "webhook_secrets": sources})

    with pytest.raises(SecretsUnavailable, match=r"webhook_secrets\.shippo"):
        get_secrets()


def test_a_secret_that_does_not_exist_stops_the_function(secrets_manager: Any) -> None:
    with pytest.raises(SecretsUnavailable, match="cannot be read"):
        get_secrets()


def test_a_secret_that_is_not_json_stops_the_function(secrets_manager: Any) -> None:
    secrets_manager.create_secret(Name=SECRET_NAME, SecretString="token=abc")

    with pytest.raises(SecretsUnavailable, match=SECRET_NAME):
        get_secrets()


def test_a_deployed_function_without_a_secret_name_never_falls_back_to_dev_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a deployed function whose stage sets no PK_SECRETS_NAME
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "promise-keeper-dev-APIHandler")

    with pytest.raises(SecretsUnavailable, match="PK_SECRETS_NAME"):
        get_secrets()


@pytest.mark.parametrize("unset", ["PK_MERCHANT_API_KEY", "PK_WEBHOOK_SECRET", "PK_TOKEN_SECRET"])
def test_outside_the_local_stack_every_env_secret_must_be_given(
    monkeypatch: pytest.MonkeyPatch, unset: str
) -> None:
    monkeypatch.delenv(unset)

    with pytest.raises(SecretsUnavailable, match=unset):
        get_secrets()


def test_outside_the_local_stack_a_well_known_dev_value_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PK_TOKEN_SECRET", settings.DEV_TOKEN_SECRET)

    with pytest.raises(SecretsUnavailable, match="PK_TOKEN_SECRET"):
        get_secrets()


def test_the_local_stack_keeps_the_documented_dev_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the local stack's environment: boto3 pointed at the embedded AWS, no secret exported
    for name in ("PK_MERCHANT_API_KEY", "PK_WEBHOOK_SECRET", "PK_TOKEN_SECRET"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")

    secrets = get_secrets()

    assert secrets.merchant_key_hashes == (sha256_hex(settings.DEV_MERCHANT_API_KEY),)
    assert set(secrets.webhook_secrets.values()) == {settings.DEV_WEBHOOK_SECRET}
    assert secrets.token_secret == settings.DEV_TOKEN_SECRET
    assert secrets.merchant_webhook_secret == settings.DEV_WEBHOOK_SECRET


def test_an_endpoint_that_is_not_this_machine_is_not_the_local_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PK_TOKEN_SECRET")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://dynamodb.eu-central-1.amazonaws.com")

    with pytest.raises(SecretsUnavailable):
        get_secrets()


def test_the_test_environment_secrets_are_used_as_given() -> None:
    secrets = get_secrets()

    assert secrets.merchant_key_hashes == (sha256_hex("test-merchant-key"),)
    assert secrets.token_secret == "test-token-secret"
    assert secrets.merchant_webhook_secret == "test-webhook-secret"  # the shared webhook secret


def test_every_source_the_registry_lists_has_a_secret_and_no_other_name_does() -> None:
    secrets = get_secrets()

    assert {s: secrets.webhook_secret(s) for s in SOURCES} == dict.fromkeys(
        SOURCES, "test-webhook-secret"
    )
    assert secrets.webhook_secret("fedex") is None


# -- a rotated token secret ----------------------------------------------------------------------
ROTATED_AT = "2026-12-01T09:00:00+00:00"


def test_a_rotation_names_the_previous_token_secret_and_when_it_was_replaced(
    secrets_manager: Any,
) -> None:
    rotation = {"previous_token_secret": "old-token-secret", "token_secret_rotated_at": ROTATED_AT}
    store(secrets_manager, {**COMPLETE, **rotation})

    secrets = get_secrets()

    assert secrets.previous_token_secret == "old-token-secret"
    assert secrets.token_secret_rotated_at == datetime.fromisoformat(ROTATED_AT)


def test_without_a_rotation_there_is_no_previous_token_secret(secrets_manager: Any) -> None:
    store(secrets_manager, COMPLETE)

    secrets = get_secrets()

    assert (secrets.previous_token_secret, secrets.token_secret_rotated_at) == ("", None)


@pytest.mark.parametrize(
    "rotation",
    [
        {"previous_token_secret": "old-token-secret"},  # valid for ever: refused
        {"previous_token_secret": "old-token-secret", "token_secret_rotated_at": "yesterday"},
        {"previous_token_secret": "old-token-secret", "token_secret_rotated_at": "2026-12-01"},
        {"token_secret_rotated_at": ROTATED_AT},
    ],
)
def test_half_a_rotation_stops_the_function_naming_what_is_missing(
    secrets_manager: Any, rotation: dict[str, str]
) -> None:
    store(secrets_manager, {**COMPLETE, **rotation})

    with pytest.raises(SecretsUnavailable, match="token_secret_rotated_at|previous_token_secret"):
        get_secrets()


def test_a_rotation_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PK_PREVIOUS_TOKEN_SECRET", "old-token-secret")
    monkeypatch.setenv("PK_TOKEN_SECRET_ROTATED_AT", ROTATED_AT)

    secrets = get_secrets()

    assert secrets.previous_token_secret == "old-token-secret"
    assert secrets.token_secret_rotated_at == datetime.fromisoformat(ROTATED_AT)
    monkeypatch.delenv("PK_TOKEN_SECRET_ROTATED_AT")
    settings.reset_caches()
    with pytest.raises(SecretsUnavailable, match="PK_TOKEN_SECRET_ROTATED_AT"):
        get_secrets()


def test_the_token_keys_keep_the_previous_secret_for_the_overlap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib import deps

    monkeypatch.setenv("PK_PREVIOUS_TOKEN_SECRET", "old-token-secret")
    monkeypatch.setenv("PK_TOKEN_SECRET_ROTATED_AT", ROTATED_AT)
    monkeypatch.setenv("PK_TOKEN_ROTATION_OVERLAP_DAYS", "30")

    keys = deps.token_keys()

    rotated_at = datetime.fromisoformat(ROTATED_AT)
    assert keys.secrets(rotated_at + timedelta(days=29)) == (
        "test-token-secret",
        "old-token-secret",
    )
    assert keys.secrets(rotated_at + timedelta(days=30)) == ("test-token-secret",)
