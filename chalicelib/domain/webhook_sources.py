"""The webhook senders' names, apart from their adapters: the secrets and the path model need
the names alone, and the adapters (chalicelib.domain.tracking) load with the first webhook.
tests/unit/tracking/test_registry.py holds this list and the tracking registry together."""

from __future__ import annotations

from typing import Literal, get_args

WebhookSourceName = Literal["generic", "easypost", "aftership", "shippo", "17track"]
WEBHOOK_SOURCE_NAMES: tuple[str, ...] = get_args(WebhookSourceName)
