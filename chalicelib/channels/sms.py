"""SMS through SNS: a direct publish to the customer's number, sent as transactional."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import deps
from chalicelib.channels.base import ChannelRejected, Outgoing, translate
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


class SmsSender:
    channel: Literal["sms"] = "sms"

    def __init__(self, client: SNSClient, sender_id: str = "") -> None:
        self._client = client
        self._sender_id = sender_id

    def send(self, outgoing: Outgoing) -> str:
        text = outgoing.message.sms
        if not outgoing.address or not text:
            raise ChannelRejected("sms: no number or no SMS text for this type")
        attributes: dict[str, Any] = {
            # Transactional: delivered for reliability, also to numbers that block promotions.
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
        }
        if self._sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {
                "DataType": "String",
                "StringValue": self._sender_id,
            }
        try:
            answer = self._client.publish(
                PhoneNumber=outgoing.address, Message=text, MessageAttributes=attributes
            )
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "sms") from exc
        return str(answer["MessageId"])


def build() -> SmsSender:
    return SmsSender(deps.sns(), get_settings().sms_sender_id)
