"""What was sent to whom on which channel: NOTIFICATION#<dedup key> items in the order's partition.

Sending is claim → send → mark sent. The claim is a conditional write keyed by the milestone and
channel (``dedup_key``), so a second delivery of the same SQS message, or a second message about
the same milestone, finds the item and sends nothing. A claim is a lease: if the sender dies
between claim and send, the claim runs out and a retry may take it over.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from chalicelib.store import keys
from chalicelib.store.attributes import from_attributes, to_attributes

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ClaimOutcome = Literal["claimed", "sent", "skipped", "busy"]


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: ClaimOutcome
    token: str | None = None  # set when claimed: proves the claim when marking or releasing


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """What the order shows about one notification."""

    message_type: str
    channel: str
    shipment_id: str | None
    locale: str | None


def _is_condition_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


NotificationKey = Callable[[str, str], dict[str, str]]


class NotificationLog:
    """``key``: where an item lives — the order's partition, or a withdrawal declaration's
    (its acknowledgement may name no order of this shop)."""

    def __init__(
        self, client: DynamoDBClient, table_name: str, key: NotificationKey = keys.notification_key
    ) -> None:
        self._client = client
        self._table = table_name
        self._key = key

    def claim(
        self,
        order_id: str,
        dedup_key: str,
        record: NotificationRecord,
        now: datetime,
        lease_seconds: int = 60,
    ) -> Claim:
        token = uuid.uuid4().hex
        claimed = self._write(
            "update_item",
            order_id,
            dedup_key,
            UpdateExpression=(
                "SET #state = :claimed, claim_token = :token, claimed_until = :until, "
                "#type = :type, channel = :channel, shipment_id = :shipment, locale = :locale"
            ),
            ConditionExpression=(
                "attribute_not_exists(PK) OR (#state = :claimed AND claimed_until < :now)"
            ),
            ExpressionAttributeNames={"#state": "state", "#type": "type"},
            ExpressionAttributeValues=to_attributes(
                {
                    ":claimed": "claimed",
                    ":token": token,
                    ":until": int(now.timestamp()) + lease_seconds,
                    ":now": int(now.timestamp()),
                    ":type": record.message_type,
                    ":channel": record.channel,
                    ":shipment": record.shipment_id,
                    ":locale": record.locale,
                }
            ),
        )
        return Claim("claimed", token) if claimed else Claim(self._state(order_id, dedup_key))

    def mark_sent(
        self,
        order_id: str,
        dedup_key: str,
        token: str,
        sent_at: datetime,
        provider_message_id: str | None,
    ) -> bool:
        """Record the send; False if the claim was lost meanwhile (the lease ran out)."""
        return self._write(
            "update_item",
            order_id,
            dedup_key,
            UpdateExpression=(
                "SET #state = :sent, sent_at = :sent_at, provider_message_id = :provider "
                "REMOVE claim_token, claimed_until"
            ),
            ConditionExpression="claim_token = :token",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=to_attributes(
                {
                    ":sent": "sent",
                    ":sent_at": sent_at.isoformat(),
                    ":provider": provider_message_id,
                    ":token": token,
                }
            ),
        )

    def release(self, order_id: str, dedup_key: str, token: str) -> None:
        """Give a claim back after a failed send, so the retry can send at once."""
        self._write(
            "delete_item",
            order_id,
            dedup_key,
            ConditionExpression="claim_token = :token",
            ExpressionAttributeValues=to_attributes({":token": token}),
        )

    def record_skip(
        self,
        order_id: str,
        dedup_key: str,
        record: NotificationRecord,
        reason: str,
        at: datetime,
    ) -> None:
        """Record why a channel was not used for a milestone (first reason wins)."""
        item = {
            **self._key(order_id, dedup_key),
            "state": "skipped",
            "type": record.message_type,
            "channel": record.channel,
            "shipment_id": record.shipment_id,
            "locale": record.locale,
            "reason": reason,
            "skipped_at": at.isoformat(),
        }
        self._write(
            "put_item",
            order_id,
            dedup_key,
            Item=to_attributes(item),
            ConditionExpression="attribute_not_exists(PK)",
        )

    def _write(self, operation: str, order_id: str, dedup_key: str, **request: Any) -> bool:
        """One conditional write to the notification item; False when its condition failed."""
        if operation != "put_item":
            request["Key"] = to_attributes(self._key(order_id, dedup_key))
        try:
            getattr(self._client, operation)(TableName=self._table, **request)
        except ClientError as exc:
            if not _is_condition_failure(exc):
                raise
            return False
        return True

    def _state(self, order_id: str, dedup_key: str) -> ClaimOutcome:
        response = self._client.get_item(
            TableName=self._table,
            Key=to_attributes(self._key(order_id, dedup_key)),
            ConsistentRead=True,
        )
        state = from_attributes(response.get("Item", {})).get("state")
        if state in ("sent", "skipped"):
            return "sent" if state == "sent" else "skipped"
        return "busy"
