"""E-mail through SES v2: one multipart/alternative message, plain text and HTML."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import deps
from chalicelib.channels.base import ChannelRejected, Outgoing, translate
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client


def mime_message(outgoing: Outgoing, sender: str) -> EmailMessage:
    rendered = outgoing.message
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = outgoing.address or ""
    mime["Subject"] = rendered.subject
    mime["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mime.set_content(rendered.text)
    mime.add_alternative(rendered.html, subtype="html")
    mime["Content-Language"] = rendered.locale  # after set_content, which drops Content-* headers
    return mime


class EmailSender:
    channel: Literal["email"] = "email"

    def __init__(self, client: SESV2Client, sender: str, configuration_set: str = "") -> None:
        self._client = client
        self._sender = sender
        self._configuration_set = configuration_set

    def send(self, outgoing: Outgoing) -> str:
        if not outgoing.address:
            raise ChannelRejected("email: no address")
        # Raw content, so the plain-text part travels beside the HTML one to every mailbox.
        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [outgoing.address]},
            "Content": {"Raw": {"Data": mime_message(outgoing, self._sender).as_bytes()}},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            answer = self._client.send_email(**request)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, "email") from exc
        return str(answer["MessageId"])


def build() -> EmailSender:
    settings = get_settings()
    return EmailSender(deps.sesv2(), settings.sender_email, settings.ses_configuration_set)
