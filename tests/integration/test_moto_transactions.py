"""The embedded AWS's TransactWriteItems: moto's outcomes, without moto's table copy.

Each scenario runs twice, once on moto's own implementation and once on the item-by-item rollback
of devstack/moto_transactions.py, and every answer, the table and the stream must be the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeAlias

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack import moto_transactions
from devstack.resources import create_tables, table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        ConditionCheckTypeDef,
        DeleteTypeDef,
        PutTypeDef,
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )

pytestmark = pytest.mark.integration
PLAIN = "plain"  # a second table: hash key only, no stream
Transaction: TypeAlias = "list[TransactWriteItemTypeDef]"
Script = list[tuple[Transaction, str | None]]  # (items, ClientRequestToken)


def put(
    pk: str, sk: str = "A", *, condition: str | None = None, **attrs: str
) -> TransactWriteItemTypeDef:
    item = {"PK": {"S": pk}, "SK": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}}
    op: PutTypeDef = {"TableName": table_name(), "Item": item}
    if condition:
        op["ConditionExpression"] = condition
        op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {"Put": op}


def update(
    pk: str, expression: str, values: dict[str, Any], condition: str | None = None
) -> TransactWriteItemTypeDef:
    op: UpdateTypeDef = {
        "TableName": table_name(),
        "Key": {"PK": {"S": pk}, "SK": {"S": "A"}},
        "UpdateExpression": expression,
        "ExpressionAttributeValues": values,
    }
    if condition:
        op["ConditionExpression"] = condition
    return {"Update": op}


def delete(pk: str, condition: str | None = None) -> TransactWriteItemTypeDef:
    op: DeleteTypeDef = {"TableName": table_name(), "Key": {"PK": {"S": pk}, "SK": {"S": "A"}}}
    if condition:
        op["ConditionExpression"] = condition
    return {"Delete": op}


def check(
    pk: str, condition: str, values: dict[str, Any] | None = None
) -> TransactWriteItemTypeDef:
    op: ConditionCheckTypeDef = {
        "TableName": table_name(),
        "Key": {"PK": {"S": pk}, "SK": {"S": "A"}},
        "ConditionExpression": condition,
    }
    if values:
        op["ExpressionAttributeValues"] = values
    return {"ConditionCheck": op}


def plain_put(pk: str, condition: str | None = None) -> TransactWriteItemTypeDef:
    op: PutTypeDef = {"TableName": PLAIN, "Item": {"id": {"S": pk}}}
    if condition:
        op["ConditionExpression"] = condition
    return {"Put": op}


NEW = "attribute_not_exists(PK)"
ONE = {":one": {"N": "1"}}
SCENARIOS: dict[str, Script] = {
    "all four operations pass": [
        ([put("a"), put("b")], None),
        ([update("a", "SET n = :one", ONE), delete("b")], None),
        ([check("a", "n = :one", ONE), put("c")], None),
    ],
    "a failed condition undoes the writes before it, ALL_OLD reported": [
        ([put("a", state="old")], None),
        ([put("b"), update("c", "SET n = :one", ONE), plain_put("x"), put("a", condition=NEW)],
         None),
        ([put("d")], None),
    ],
    "an update in place is undone": [
        ([put("a", state="old")], None),
        ([update("a", "SET state = :new", {":new": {"S": "new"}}),
          check("z", "attribute_exists(PK)")], None),
    ],
    "a delete is undone": [
        ([put("a"), plain_put("x")], None),
        ([delete("a"), plain_put("y"), plain_put("x", condition="attribute_not_exists(id)")], None),
    ],
    "two operations on one item are refused": [
        ([put("a"), put("b"), update("b", "SET n = :one", ONE)], None),
        ([put("c")], None),
    ],
    "an update that cannot apply is a cancellation reason": [
        ([put("a", state="text")], None),
        ([put("b"), update("a", "ADD state :one", ONE)], None),
    ],
    "the same client request token twice": [
        ([put("a", condition=NEW)], "token-1"),
        ([put("a", condition=NEW)], "token-1"),
        ([put("b")], "token-2"),
    ],
    "more than 100 operations are refused": [
        ([put(f"p{n}") for n in range(101)], None),
    ],
}  # fmt: skip


@pytest.fixture
def fresh_aws(embedded_aws: dict[str, Any]) -> Iterator[None]:
    _tables(embedded_aws["endpoint"])
    yield


def outcome(dynamodb: Any, items: Transaction, token: str | None) -> Any:
    extra = {"ClientRequestToken": token} if token else {}
    try:
        dynamodb.transact_write_items(TransactItems=items, **extra)
    except ClientError as exc:
        error = exc.response["Error"]
        return (error["Code"], error["Message"], exc.response.get("CancellationReasons"))
    return "committed"


def stream_records() -> list[Any]:
    streams = boto3.client("dynamodbstreams")
    arn = boto3.client("dynamodb").describe_table(TableName=table_name())["Table"][
        "LatestStreamArn"
    ]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return [
        (r["eventName"], r["dynamodb"]["SequenceNumber"], r["dynamodb"]["Keys"],
         r["dynamodb"].get("NewImage"), r["dynamodb"].get("OldImage"))
        for r in records
    ]  # fmt: skip


def run(script: Script) -> dict[str, Any]:
    dynamodb = boto3.client("dynamodb")
    answers = [outcome(dynamodb, items, token) for items, token in script]
    scans = {
        name: sorted(map(str, dynamodb.scan(TableName=name)["Items"]))
        for name in (table_name(), PLAIN)
    }
    return {"answers": answers, "tables": scans, "stream": stream_records()}


def run_both(endpoint: str, script: Script) -> tuple[dict[str, Any], dict[str, Any]]:
    """The script on moto's own implementation, then on a fresh embedded AWS with ours."""
    with moto_transactions.motos_own_rollback():
        _tables(endpoint)
        motos = run(script)
    _tables(endpoint)
    ours = run(script)
    return motos, ours


def _tables(endpoint: str) -> None:
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    client = boto3.client("dynamodb")
    create_tables(client)
    client.create_table(
        TableName=PLAIN,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_item_by_item_rollback_answers_as_moto_does(
    embedded_aws: dict[str, Any], name: str
) -> None:
    motos, ours = run_both(embedded_aws["endpoint"], SCENARIOS[name])

    assert ours == motos


KEYS = st.sampled_from(["a", "b", "c"])
OPERATION = st.one_of(
    st.builds(lambda k: put(k), KEYS),
    st.builds(lambda k: put(k, condition=NEW), KEYS),
    st.builds(lambda k: update(k, "SET n = :one", ONE), KEYS),
    st.builds(lambda k: update(k, "SET n = :one", ONE, "attribute_exists(PK)"), KEYS),
    st.builds(lambda k: delete(k, "attribute_exists(PK)"), KEYS),
    st.builds(lambda k: check(k, "attribute_not_exists(n)"), KEYS),
    st.builds(lambda k: plain_put(k, "attribute_not_exists(id)"), KEYS),
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(OPERATION, min_size=1, max_size=4), min_size=1, max_size=5))
def test_any_sequence_of_transactions_ends_as_with_moto(
    embedded_aws: dict[str, Any], transactions: list[Transaction]
) -> None:
    motos, ours = run_both(embedded_aws["endpoint"], [(items, None) for items in transactions])

    assert ours == motos


def test_a_reader_of_the_stream_sees_writes_after_a_cancelled_transaction(fresh_aws: None) -> None:
    assert reader_after_a_cancellation() == ["INSERT a", "INSERT b"]


def test_moto_itself_still_orphans_the_reader(fresh_aws: None) -> None:
    """The upstream defect. When this fails, moto rolls back in place: drop the adaptation."""
    with moto_transactions.motos_own_rollback():
        # The reader sees the cancelled write to x, and never the committed write to b.
        assert reader_after_a_cancellation() == ["INSERT a", "INSERT x"]


def reader_after_a_cancellation() -> list[str]:
    """Given a reader holding a shard iterator, when a transaction is cancelled and another
    write follows, then what the reader's iterator yields from then on."""
    dynamodb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName=table_name())["Table"]["LatestStreamArn"]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    seen: list[str] = []

    def read() -> None:
        nonlocal iterator
        page = streams.get_records(ShardIterator=iterator)
        seen.extend(f"{r['eventName']} {r['dynamodb']['Keys']['PK']['S']}" for r in page["Records"])
        iterator = page["NextShardIterator"]

    dynamodb.transact_write_items(TransactItems=[put("a")])
    read()
    assert outcome(dynamodb, [put("x"), put("a", condition=NEW)], None) != "committed"
    dynamodb.transact_write_items(TransactItems=[put("b")])
    read()
    return seen


def test_a_transaction_copies_no_table(fresh_aws: None, table_copies: list[str]) -> None:
    """What made each transaction cost more than the last: a deep copy of the whole table."""
    dynamodb = boto3.client("dynamodb")
    dynamodb.transact_write_items(TransactItems=[put("a"), plain_put("x")])
    outcome(dynamodb, [put("b"), put("a", condition=NEW)], None)

    assert table_copies == []
    with moto_transactions.motos_own_rollback():
        dynamodb.transact_write_items(TransactItems=[put("c")])
    assert table_copies == [table_name()]
