"""SMS through SNS: a direct publish to the customer's number, sent as transactional."""

from __future__ import annotations

from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.channels.base import ChannelRejected, Outgoing, translate


class SmsSender:
    channel: Literal["sms"] = "sms"

    def __init__(self, client: Any, sender_id: str = "") -> None:
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
