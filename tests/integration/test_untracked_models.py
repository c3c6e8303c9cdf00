"""The embedded AWS does not keep every model moto ever created (its dashboard's list)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord

pytestmark = pytest.mark.integration


def test_written_items_and_stream_records_are_not_kept_beyond_the_table(
    embedded_aws: dict[str, Any],
) -> None:
    table = boto3.resource("dynamodb").Table(embedded_aws["table"])
    tracked_before = len(Item.instances_tracked), len(StreamRecord.instances_tracked)  # type: ignore[attr-defined]

    for version in range(5):
        table.put_item(Item={"PK": "ORDER#1", "SK": "ORDER", "version": version})

    tracked_after = len(Item.instances_tracked), len(StreamRecord.instances_tracked)  # type: ignore[attr-defined]
    assert tracked_after == tracked_before
    assert table.get_item(Key={"PK": "ORDER#1", "SK": "ORDER"})["Item"]["version"] == 4
