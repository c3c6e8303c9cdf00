"""The channels a notification can go out on: one definition for the domain, API and queue.

A customer opts into ``CustomerChannel``s; the merchant's webhook mirrors what the customer was
sent and is nobody's choice. The senders behind these names are registered in ``channels/``.
"""

from __future__ import annotations

from typing import Literal, get_args

CustomerChannel = Literal["email", "sms"]
Channel = Literal["email", "sms", "webhook"]

# Every channel a customer can opt into, in the order the planner considers them.
CUSTOMER_CHANNEL_NAMES: tuple[CustomerChannel, ...] = get_args(CustomerChannel)
