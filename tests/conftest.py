"""Shared fixtures: a clean environment per test, moto in-process, and the app under test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import settings as hypothesis_settings
from moto import mock_aws

from chalicelib import deps, settings
from devstack import moto_transactions
from devstack.environment import REGION
from devstack.resources import create_queues, create_tables, queue_names, table_name, verify_sender

TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "PK_TABLE_NAME": table_name(),
    "PK_MERCHANT_API_KEY": "test-merchant-key",
    "PK_WEBHOOK_SECRET": "test-webhook-secret",
    "PK_TOKEN_SECRET": "test-token-secret",
    "PK_PUBLIC_BASE_URL": "https://track.shop.example",
    "PK_SENDER_EMAIL": "orders@shop.example",
    "PK_SHOP_NAME": "Beispiel-Shop",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
# Property tests judge behaviour, never speed: on a shared, loaded machine hypothesis's 200 ms
# deadline fails a correct test. Speed targets live in benchmarks/.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")

MERCHANT_KEY = TEST_ENV["PK_MERCHANT_API_KEY"]
SENDER = TEST_ENV["PK_SENDER_EMAIL"]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts from the documented test environment and fresh settings caches."""
    for key in list(os.environ):
        if key.startswith(("PK_", "AWS_")):
            monkeypatch.delenv(key)
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    settings.reset_caches()
    deps.reset()
    yield
    settings.reset_caches()
    deps.reset()


@pytest.fixture
def aws(environment: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """In-process moto with the table and queues of infra/resources.json."""
    # The embedded AWS's rollback: moto's own copies the table per transaction (slow, leaky).
    moto_transactions.install()
    with mock_aws():
        create_tables(boto3.client("dynamodb"))
        urls = create_queues(boto3.client("sqs"))
        verify_sender(boto3.client("sesv2"), SENDER)
        monkeypatch.setenv("PK_NOTIFICATIONS_QUEUE_URL", urls["NotificationsQueue"])
        settings.reset_caches()
        deps.reset()
        yield {"queue_urls": urls, "queue_names": queue_names(), "table": table_name()}
