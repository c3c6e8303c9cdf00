"""POST /v1/feedback and the merchant's figures, through the Chalice gateway on moto."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from chalicelib import deps
from chalicelib.domain.facts import Fact
from chalicelib.services.feedback import FeedbackContext
from chalicelib.services.projections import project
from chalicelib.store.feedback import RatingRace
from chalicelib.store.notifications import NotificationLog, NotificationRecord
from tests.api.factories import MERCHANT, body_of, order_body, post, shipment_body, token
from tests.api.test_notifications import stream_record
from tests.api.test_webhooks import post_generic
from tests.conftest import TEST_ENV

DHL = "00340434161094042557"
DELIVERED_AT = datetime(2026, 12, 23, 11, tzinfo=UTC)  # within the promise (22–23 Dec): kept
CUSTOMER = {"Content-Type": "application/json"}


def given_an_order(client: Any, order_id: str = "1001", delivered: datetime | None = None) -> None:
    assert post(client, "/v1/orders", order_body(order_id)).status_code == 201
    shipment = shipment_body(tracking_number=DHL)
    assert post(client, f"/v1/orders/{order_id}/shipments", shipment).status_code == 201
    if delivered is not None:
        event = {
            "event_id": "evt-delivered",
            "carrier": "dhl",
            "tracking_number": DHL,
            "status": "delivered",
            "occurred_at": delivered.isoformat(),
        }
        assert post_generic(client, [event]).status_code == 200


def rate(client: Any, **fields: Any) -> Any:
    body = {"order_id": "1001", "token": token(), "rating": 9, **fields}
    body = {k: v for k, v in body.items() if v is not ...}
    return client.post("/v1/feedback", headers=CUSTOMER, body=json.dumps(body).encode())


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The feedback use cases see ``moment`` as now."""
    wired = deps.feedback_context

    def context() -> FeedbackContext:
        return replace(wired(), now=lambda: moment)

    monkeypatch.setattr(deps, "feedback_context", context)


def stored_feedback(order_id: str = "1001") -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(TEST_ENV["PK_TABLE_NAME"])
    item: dict[str, Any] | None = table.get_item(
        Key={"PK": f"ORDER#{order_id}", "SK": "FEEDBACK"}
    ).get("Item")
    return item


def earlier_answers(order_id: str = "1001") -> list[dict[str, Any]]:
    """The answers the rating's changes replaced, oldest first (each an item of its own)."""
    table = boto3.resource("dynamodb").Table(TEST_ENV["PK_TABLE_NAME"])
    partition = Key("PK").eq(f"ORDER#{order_id}")
    items: list[dict[str, Any]] = table.query(
        KeyConditionExpression=partition & Key("SK").begins_with("FEEDBACK#")
    )["Items"]
    return items


def facts() -> list[dict[str, Any]]:
    """The rating facts written (the order's registration writes a fact of its own)."""
    items = boto3.client("dynamodb").scan(TableName=TEST_ENV["PK_TABLE_NAME"])["Items"]
    return [i for i in items if i["PK"]["S"].startswith("FACT#") and i["kind"]["S"] == "rating"]


def test_the_first_rating_is_stored_with_its_delivery_context(client: Any) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    answer = rate(client, rating=9, comment="Schnell <b>und</b> gut", tags=["speed", "packaging"])

    assert answer.status_code == 201
    view = body_of(answer)
    assert (view["rating"], view["promise"], view["previous_ratings"]) == (9, "kept", 0)
    stored = stored_feedback()
    assert stored is not None
    assert stored["comment"] == "Schnell <b>und</b> gut"  # stored as text, as written
    assert stored["tags"] == ["speed", "packaging"]
    assert stored["context"] == {
        "promise": "kept",
        "days_late": 0,
        "carrier": "dhl",
        "method": "standard",
        "delay_announced": False,
    }
    assert len(facts()) == 1
    order = body_of(client.get("/v1/orders/1001", headers=MERCHANT))
    assert order["feedback"]["rating"] == 9
    assert order["feedback"]["tags"] == ["speed", "packaging"]


def test_a_change_within_14_days_keeps_the_history_and_after_that_is_refused(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)
    first = DELIVERED_AT + timedelta(hours=2)
    at(monkeypatch, first)
    assert rate(client, rating=4).status_code == 201

    at(monkeypatch, first + timedelta(days=13, hours=23))
    changed = rate(client, rating=8, comment="Doch gut")
    at(monkeypatch, first + timedelta(days=14))
    late = rate(client, rating=1)

    assert changed.status_code == 200
    assert body_of(changed)["previous_ratings"] == 1
    assert late.status_code == 409
    assert body_of(late)["code"] == "already_rated"
    stored = stored_feedback()
    assert stored is not None
    assert (stored["rating"], stored["version"]) == (8, 2)
    assert [h["rating"] for h in earlier_answers()] == [4]
    assert "history" not in stored  # the rating's item holds one answer
    assert len(facts()) == 2  # the first rating and the change; nothing for the refusal


def test_a_rating_written_as_a_whole_json_number_is_that_integer(client: Any) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    answer = rate(client, rating=7.0)

    assert answer.status_code == 201
    assert type(body_of(answer)["rating"]) is int  # answered 7, not 7.0
    stored = stored_feedback()
    assert stored is not None and stored["rating"] == 7


@pytest.mark.parametrize("rating", [0, 11, 7.5, 10.5, "7", None, True, ...])
def test_a_rating_that_is_not_an_integer_from_1_to_10_is_422_and_stores_nothing(
    client: Any, rating: Any
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    answer = rate(client, rating=rating)

    assert answer.status_code == 422
    problem = body_of(answer)
    assert problem["code"] == "validation_error"
    assert [e["loc"] for e in problem["errors"]] == [["rating"]]
    assert stored_feedback() is None
    assert facts() == []


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"token": ...}, 401, "unauthorized"),
        ({"token": token("1002")}, 403, "forbidden"),
        ({"token": "not-a-token"}, 403, "forbidden"),
        ({"comment": "x" * 2001}, 422, "validation_error"),
        ({"tags": ["speed", "speed"]}, 422, "validation_error"),
        ({"tags": ["price"]}, 422, "validation_error"),
        ({"items": [{"sku": "SOCKS", "rating": 5}]}, 422, "validation_error"),
        ({"surprise": 1}, 422, "validation_error"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_stores_nothing(
    client: Any, fields: dict[str, Any], status: int, code: str
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    answer = rate(client, **fields)

    assert (answer.status_code, body_of(answer)["code"]) == (status, code)
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert stored_feedback() is None
    assert facts() == []


def test_a_comment_of_exactly_2000_characters_is_accepted(client: Any) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    assert rate(client, comment="é" * 2000).status_code == 201


def test_an_order_with_nothing_delivered_cannot_be_rated(client: Any) -> None:
    given_an_order(client, delivered=None)

    answer = rate(client)

    assert (answer.status_code, body_of(answer)["code"]) == (409, "not_delivered")
    assert stored_feedback() is None


def test_an_unknown_order_is_404_for_a_genuine_token(client: Any) -> None:
    answer = rate(client, order_id="404", token=token("404"))

    assert (answer.status_code, body_of(answer)["code"]) == (404, "not_found")


def test_a_lost_race_ends_as_one_record_with_the_other_answer_in_its_history(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)
    assert rate(client, rating=3).status_code == 201
    # Another submission read "not rated" just before the first one committed.
    ratings = deps.feedback_context().ratings
    real_get = ratings.get
    reads: list[str] = []

    def stale_then_fresh(order_id: str) -> Any:
        reads.append(order_id)
        return None if len(reads) == 1 else real_get(order_id)

    monkeypatch.setattr(type(ratings), "get", lambda self, order_id: stale_then_fresh(order_id))

    answer = rate(client, rating=10)

    assert answer.status_code == 200  # decided again on fresh state: a change
    stored = stored_feedback()
    assert stored is not None
    assert (stored["rating"], [h["rating"] for h in earlier_answers()]) == (10, [3])
    assert len(reads) == 2


def test_the_store_refuses_a_second_first_rating(client: Any) -> None:
    given_an_order(client, delivered=DELIVERED_AT)
    assert rate(client, rating=6).status_code == 201
    ctx = deps.feedback_context()
    record = ctx.ratings.get("1001")
    assert record is not None

    with pytest.raises(RatingRace):
        ctx.ratings.save(None, record, Fact(fact_id="other", kind="rating", payload={}), ctx.now())


def project_all() -> None:
    """What the stream does: every fact in the table through the real projector."""
    records = [stream_record(item, sequence=n) for n, item in enumerate(facts())]
    project(records, deps.counter_store(), datetime.now(UTC))


def summary(client: Any, query: str) -> Any:
    return client.get(f"/v1/feedback/summary?{query}", headers=MERCHANT)


def test_the_summary_counts_a_changed_rating_once_with_its_new_value(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)
    day = DELIVERED_AT + timedelta(hours=1)
    at(monkeypatch, day)
    rate(client, rating=2, items=[{"sku": "MUG-BLUE", "rating": 3}])
    at(monkeypatch, day + timedelta(days=1))
    rate(client, rating=9, items=[{"sku": "MUG-BLUE", "rating": 7}])
    project_all()
    project_all()  # the stream hands the facts again: counted once

    answer = body_of(summary(client, "from=2026-12-01&to=2026-12-31"))
    by_carrier = body_of(summary(client, "from=2026-12-01&to=2026-12-31&carrier=dhl"))
    other = body_of(summary(client, "from=2026-12-01&to=2026-12-31&carrier=ups"))
    products = body_of(client.get("/v1/feedback/products?from=2026-12-01&to=2026-12-31",
                                  headers=MERCHANT))  # fmt: skip

    assert (answer["count"], answer["mean"], answer["score"]) == (1, 9.0, 100.0)
    assert answer["distribution"]["9"] == 1 and answer["distribution"]["2"] == 0
    assert answer["by_promise"]["kept"]["count"] == 1
    assert answer["by_promise"]["broken"]["count"] == 0
    assert by_carrier["count"] == 1 and other["count"] == 0
    assert products["products"] == [{"sku": "MUG-BLUE", "count": 1, "mean": 7.0}]


@pytest.mark.parametrize(
    "query",
    ["to=2026-12-31", "from=2026-12-31&to=2026-12-01", "from=2026-13-01&to=2026-12-31",
     "from=2026-01-01&to=2027-12-31", "from=2026-12-01&to=2026-12-31&carrier=DHL!"],
)  # fmt: skip
def test_a_bad_range_is_422(client: Any, query: str) -> None:
    answer = summary(client, query)

    assert (answer.status_code, body_of(answer)["code"]) == (422, "validation_error")


@pytest.mark.parametrize("path", ["/v1/feedback/summary", "/v1/feedback/products"])
@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("from=9999-12-01&to=9999-12-31", [["from"], ["to"]]),
        ("from=2026-12-01&to=9999-12-31", [["to"]]),
        ("from=2000-01-01&to=2000-01-31", [["from"], ["to"]]),
        ("from=2026-12-31&to=2026-12-01", [[]]),
        ("from=2026-01-01&to=2027-01-03", [[]]),
    ],
)
def test_a_report_covers_at_most_366_days_near_the_present(
    client: Any, path: str, query: str, fields: list[list[str]]
) -> None:
    # When the merchant asks for figures of days far from today, backwards, or over a year
    answer = client.get(f"{path}?{query}", headers=MERCHANT)

    # Then it is 422 naming the day that lies outside (or the range itself), never a 200
    assert (answer.status_code, body_of(answer)["code"]) == (422, "validation_error")
    assert [e["loc"] for e in body_of(answer)["errors"]] == fields


def test_the_figures_are_for_the_merchant_only(client: Any) -> None:
    answer = client.get("/v1/feedback/summary?from=2026-12-01&to=2026-12-31")

    assert answer.status_code == 401


def outbox_kinds() -> list[str]:
    items = boto3.client("dynamodb").scan(TableName=TEST_ENV["PK_TABLE_NAME"])["Items"]
    return [i["SK"]["S"].split("#")[0] for i in items if i["PK"]["S"].startswith("OUTBOX#")]


@pytest.mark.parametrize(("rating", "alerts"), [(3, 1), (4, 0), (1, 1)])
def test_a_rating_of_3_or_less_asks_the_merchant_to_follow_up(
    client: Any, rating: int, alerts: int
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)

    assert rate(client, rating=rating).status_code == 201

    assert outbox_kinds().count("low_rating") == alerts


def emitted_metrics(out: str) -> dict[str, Any]:
    """Metric name → value from the EMF lines Powertools printed."""
    values: dict[str, Any] = {}
    for line in out.splitlines():
        if "_aws" not in line:
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                values[metric["Name"]] = blob[metric["Name"]]
    return values


@pytest.mark.parametrize(("rating", "low"), [(2, True), (9, False)])
def test_each_rating_raises_the_received_metric_and_a_low_one_the_low_rating_metric(
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rating: int,
    low: bool,
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    rate(client, rating=rating)

    emitted = emitted_metrics(capsys.readouterr().out)
    assert emitted["RatingReceived"] in (1.0, [1.0])
    assert emitted["Rating"] in (float(rating), [float(rating)])
    assert ("LowRating" in emitted) is low


def test_neither_the_comment_nor_the_token_reaches_the_logs(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    given_an_order(client, delivered=DELIVERED_AT)
    capsys.readouterr()

    rate(client, rating=1, comment="Ruf mich an: anna@example.com")
    rate(client, rating=11, comment="Ruf mich an: anna@example.com")

    out = capsys.readouterr()
    assert "anna@example.com" not in out.out + out.err
    assert token() not in out.out + out.err


def given_a_delay_notice_sent_at(sent_at: datetime) -> None:
    """The sender's own record of a "delayed" e-mail, written through the notification log."""
    log = NotificationLog(boto3.client("dynamodb"), TEST_ENV["PK_TABLE_NAME"])
    key = "1001#-#delayed:at_risk#email"
    claim = log.claim("1001", key, NotificationRecord("delayed", "email", None, "de-DE"), sent_at)
    assert claim.token is not None
    assert log.mark_sent("1001", key, claim.token, sent_at, "ses-1")


@pytest.mark.parametrize(
    ("notice_at", "announced"),
    [(datetime(2026, 12, 23, 9, tzinfo=UTC), True), (datetime(2026, 12, 24, 9, tzinfo=UTC), False)],
)
def test_a_broken_promise_is_stored_with_its_days_late_and_whether_the_delay_was_announced(
    client: Any, notice_at: datetime, announced: bool
) -> None:
    # Promised for 22–23 Dec, delivered on the 26th (Berlin): three days late.
    given_an_order(client, delivered=datetime(2026, 12, 26, 10, tzinfo=UTC))
    given_a_delay_notice_sent_at(notice_at)

    assert rate(client, rating=5).status_code == 201

    stored = stored_feedback()
    assert stored is not None
    context = stored["context"]
    assert (context["promise"], context["days_late"]) == ("broken", 3)
    assert context["delay_announced"] is announced
