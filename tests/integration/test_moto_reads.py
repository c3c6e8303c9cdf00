"""The embedded AWS's reads: moto's answers, without reading everything stored.

Each read runs through moto's own implementation and through devstack/moto_reads.py on the same
data, and the answers must be the same; a base-table query must not sort the whole table.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto.dynamodb.models.table import Table

from devstack import moto_reads
from devstack.resources import table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef

pytestmark = pytest.mark.integration
S = dict[str, str]


def s(value: str) -> S:
    return {"S": value}


def fill(dynamodb: Any) -> None:
    """Three partitions of a few items each, one of them indexed in GSI2."""
    for order in ("A", "B", "C"):
        for sk in ("ORDER", "PARCEL#1", "PARCEL#2", "PARCEL#10", "RETURN#1", "TRACKING"):
            item = {"PK": s(f"ORDER#{order}"), "SK": s(sk), "n": {"N": str(len(sk))}}
            if sk == "ORDER":
                item |= {"GSI2PK": s("DUE#0"), "GSI2SK": s(f"2026-12-0{ord(order) - 64}")}
            dynamodb.put_item(TableName=table_name(), Item=item)


QUERIES: dict[str, dict[str, Any]] = {
    "a whole partition": {"KeyConditionExpression": "PK = :pk"},
    "a prefix, newest first": {
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :sk)",
        "ExtraValues": {":sk": s("PARCEL#")},
        "ScanIndexForward": False,
    },
    "a range with a filter and a projection": {
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :a AND :b",
        "ExtraValues": {":a": s("ORDER"), ":b": s("PARCEL#2"), ":min": {"N": "6"}},
        "FilterExpression": "n >= :min",
        "ProjectionExpression": "SK, n",
    },
    "a partition that does not exist": {"KeyConditionExpression": "PK = :pk", "Partition": "Z"},
}


def read(dynamodb: Any, spec: dict[str, Any]) -> list[Any]:
    """Every page of the query, two items a page, as the store pages through partitions."""
    spec = dict(spec)
    values = {":pk": s(f"ORDER#{spec.pop('Partition', 'B')}"), **spec.pop("ExtraValues", {})}
    pages: list[Any] = []
    start: dict[str, Any] = {}
    while True:
        page = dynamodb.query(
            TableName=table_name(), ExpressionAttributeValues=values, Limit=2, **spec, **start
        )
        pages.append((page["Items"], page["Count"], page.get("LastEvaluatedKey")))
        if "LastEvaluatedKey" not in page:
            return pages
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


@pytest.mark.parametrize("name", list(QUERIES))
def test_a_base_table_query_answers_as_moto_does(embedded_aws: dict[str, Any], name: str) -> None:
    dynamodb = boto3.client("dynamodb")
    fill(dynamodb)
    with moto_reads.motos_own_reads():
        motos = read(dynamodb, QUERIES[name])
    ours = read(dynamodb, QUERIES[name])
    assert ours == motos
    assert name == "a partition that does not exist" or ours[0][0]


def test_an_index_query_answers_as_moto_does(embedded_aws: dict[str, Any]) -> None:
    dynamodb = boto3.client("dynamodb")
    fill(dynamodb)
    query: QueryInputTypeDef = {
        "TableName": table_name(),
        "IndexName": "GSI2",
        "KeyConditionExpression": "GSI2PK = :due AND GSI2SK <= :until",
        "ExpressionAttributeValues": {":due": s("DUE#0"), ":until": s("2026-12-02")},
    }
    with moto_reads.motos_own_reads():
        motos = dynamodb.query(**query)["Items"]
    ours = dynamodb.query(**query)["Items"]
    assert ours == motos
    assert [item["PK"]["S"] for item in ours] == ["ORDER#A", "ORDER#B"]


def test_a_base_table_query_does_not_sort_the_whole_table(
    embedded_aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    dynamodb = boto3.client("dynamodb")
    fill(dynamodb)
    whole_table_reads: list[int] = []
    motos_all_items = moto_reads.MOTOS_ALL_ITEMS

    def counted(table: Table) -> Any:
        whole_table_reads.append(1)
        return motos_all_items(table)

    monkeypatch.setattr(moto_reads, "MOTOS_ALL_ITEMS", counted)
    items = dynamodb.query(
        TableName=table_name(),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": s("ORDER#C")},
    )["Items"]
    assert len(items) == 6
    assert whole_table_reads == []
    dynamodb.scan(TableName=table_name())  # a scan still reads it all, as it should
    assert whole_table_reads == [1]


def test_a_queue_receives_as_moto_does_and_still_drops_expired_messages(
    embedded_aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="retention", Attributes={"MessageRetentionPeriod": "60"})[
        "QueueUrl"
    ]

    def receive() -> list[str]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return sorted(m["Body"] for m in messages.get("Messages", []))

    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": f"m{n}"} for n in range(3)]
    )
    with moto_reads.motos_own_reads():
        motos = receive()
    assert receive() == motos == ["m0", "m1", "m2"]

    later = time.time() + 120  # past the queue's 60 s retention
    monkeypatch.setattr(moto_reads, "unix_time", lambda: later)
    assert receive() == []
