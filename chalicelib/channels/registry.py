"""Every notification channel by name: the one place a new channel is registered.

A channel is its module here (a ``Sender`` and a ``build`` factory), its templates under
``templates/<lang>/``, its name in ``domain/channels.py`` and a line below. The sender looks
channels up by the name the plan gives (``deps.sender_for``), so nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from chalicelib.channels import email, sms, webhook

if TYPE_CHECKING:
    from chalicelib.channels.base import Sender
    from chalicelib.domain.channels import Channel

SenderFactory = Callable[[], "Sender"]

SENDERS: Mapping[Channel, SenderFactory] = {
    "email": email.build,
    "sms": sms.build,
    "webhook": webhook.build,
}
