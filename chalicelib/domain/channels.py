"""The channels a notification can go out on: one definition for the domain, API and queue.

A customer opts into ``CustomerChannel``s; the merchant's webhook mirrors what the customer was
sent and is nobody's choice. The senders behind these names are registered in ``channels/``.
"""

from __future__ import annotations

from typing import Literal

CustomerChannel = Literal["email", "sms"]
Channel = Literal["email", "sms", "webhook"]
