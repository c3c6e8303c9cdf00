"""Three days after delivery, one reminder to customers who have not rated (GSI2, no scan)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib import deps
from tests.api.test_feedback import DELIVERED_AT, at, given_an_order, rate
from tests.conftest import TEST_ENV


def partition(prefix: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(TEST_ENV["PK_TABLE_NAME"])
    items: list[dict[str, Any]] = table.scan()["Items"]
    return [i for i in items if i["PK"].startswith(prefix) or i["SK"].startswith(prefix)]


def reminders_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> int:
    at(monkeypatch, moment)
    return deps.feedback_service().send_reminders()


def test_the_first_delivery_schedules_one_reminder_three_days_later(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)
    due = DELIVERED_AT + timedelta(days=3)

    (scheduled,) = partition("RATING_DUE")
    early = reminders_at(monkeypatch, due - timedelta(minutes=1))
    on_time = reminders_at(monkeypatch, due + timedelta(minutes=1))
    again = reminders_at(monkeypatch, due + timedelta(hours=1))

    assert scheduled["GSI2PK"].startswith("RATING_DUE#")
    assert scheduled["GSI2SK"].startswith(due.isoformat())
    assert (early, on_time, again) == (0, 1, 0)
    assert partition("RATING_DUE") == []
    outbox = [i for i in partition("OUTBOX#") if i["SK"].startswith("rating_reminder#")]
    assert len(outbox) == 1


def test_a_rated_order_is_not_reminded(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    given_an_order(client, delivered=DELIVERED_AT)
    at(monkeypatch, DELIVERED_AT + timedelta(hours=5))
    assert rate(client, rating=10).status_code == 201

    sent = reminders_at(monkeypatch, DELIVERED_AT + timedelta(days=4))

    assert sent == 0
    assert partition("RATING_DUE") == []
    assert not [i for i in partition("OUTBOX#") if i["SK"].startswith("rating_reminder#")]


def test_an_order_not_delivered_is_not_reminded(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_an_order(client, delivered=None)

    assert reminders_at(monkeypatch, DELIVERED_AT + timedelta(days=30)) == 0
    assert partition("RATING_DUE") == []
