"""What the local stack has sent: e-mails kept by the embedded SES, SMS kept by the embedded SNS.

`make mail` prints them (it asks the running stack over HTTP: /_devstack/mailbox on the embedded
AWS port); the tests read the same lists in-process. It reads the stack `make run` started here
(the most recent, if several run), or the one on PK_LOCAL_AWS_PORT, and says which.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import sys
import urllib.request
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from typing import Any

from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

MAILBOX_PATH = "/_devstack/mailbox"


@dataclass(frozen=True)
class SentEmail:
    message_id: str
    to: list[str]
    subject: str
    language: str
    text: str
    html: str


@dataclass(frozen=True)
class SentSms:
    message_id: str
    to: str
    text: str


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    return str(body.get_content()) if body is not None else ""


def sent_emails(region: str) -> list[SentEmail]:
    backend = get_backend("ses")[DEFAULT_ACCOUNT_ID][region]
    found = []
    for sent in backend.sent_messages:
        raw = getattr(sent, "raw_data", None)
        if raw is None:  # a Simple message (not what this project sends)
            found.append(SentEmail(sent.id, list(sent.destinations.get("ToAddresses", [])),
                                   sent.subject, "", "", sent.body))  # fmt: skip
            continue
        parsed = email.message_from_string(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        found.append(
            SentEmail(
                message_id=sent.id,
                to=[str(a) for a in parsed.get_all("To", [])],
                subject=str(parsed.get("Subject", "")),
                language=str(parsed.get("Content-Language", "")),
                text=_part(parsed, "plain"),
                html=_part(parsed, "html"),
            )
        )
    return found


def sent_sms(region: str) -> list[SentSms]:
    backend = get_backend("sns")[DEFAULT_ACCOUNT_ID][region]
    return [SentSms(mid, phone, text) for mid, (phone, text) in backend.sms_messages.items()]


def mailbox(region: str) -> dict[str, Any]:
    return {
        "emails": [asdict(m) for m in sent_emails(region)],
        "sms": [asdict(m) for m in sent_sms(region)],
    }


def stack_to_read() -> tuple[int, str]:
    """The embedded AWS port to read, and why that one."""
    from devstack import registry
    from devstack.environment import AWS_PORT

    if "PK_LOCAL_AWS_PORT" in os.environ:
        return AWS_PORT, "PK_LOCAL_AWS_PORT"
    stacks = registry.running()
    if not stacks:
        return AWS_PORT, "the default port; no running make run found here"
    newest, *others = stacks
    why = f"make run, pid {newest.pid}, API on port {newest.api_port}"
    if others:
        ports = ", ".join(str(s.aws_port) for s in others)
        why += f"; the most recent of {len(stacks)}, the others on {ports}"
    return newest.aws_port, why


def main() -> int:
    from devstack.environment import HOST

    port, why = stack_to_read()
    url = f"http://{HOST}:{port}{MAILBOX_PATH}"
    print(f"Reading the local stack at http://{HOST}:{port} ({why}).\n")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the local stack
            box = json.load(response)
    except OSError:
        print(
            f"Nothing answers at {url}. Start the stack (make run), or read another one: "
            "PK_LOCAL_AWS_PORT=<its AWS port> make mail"
        )
        return 1
    for sent in box["emails"]:
        print(f"── e-mail {sent['message_id']} to {', '.join(sent['to'])} [{sent['language']}]")
        print(f"   Subject: {sent['subject']}\n")
        print("   " + sent["text"].replace("\n", "\n   "))
    for sms in box["sms"]:
        print(f"── SMS {sms['message_id']} to {sms['to']}\n   {sms['text']}\n")
    print(f"{len(box['emails'])} e-mail(s), {len(box['sms'])} SMS sent by the local stack.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
