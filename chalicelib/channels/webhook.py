"""The merchant's webhook: every message the customer is sent, signed like incoming webhooks.

``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`` — the scheme
docs/api.md names for the generic carrier webhook, so a merchant verifies both with one function.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from chalicelib.channels.base import ChannelRejected, ChannelUnavailable, Outgoing
from chalicelib.domain.signing import hmac_sha256_hex
from chalicelib.settings import get_secrets, get_settings

TIMEOUT_SECONDS = 5
# The merchant refuses this message as such (malformed, too large, gone for good).
REFUSED = frozenset({400, 410, 413, 422})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: urllib would follow a 302 with a body-less GET
    (possibly to another host) and count that GET's 200 as the merchant accepting the message."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@cache
def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirects)


def signature(secret: str, body: bytes, at: datetime) -> str:
    t = str(int(at.timestamp()))
    return f"t={t},v1={hmac_sha256_hex(secret, t.encode() + b'.' + body)}"


def payload(outgoing: Outgoing, at: datetime) -> dict[str, Any]:
    delivery, rendered = outgoing.delivery, outgoing.message
    return {
        "id": delivery.dedup_key,
        "type": delivery.message_type,
        "variant": delivery.variant,
        "order_id": delivery.order_id,
        "shipment_id": delivery.shipment_id,
        "return_id": delivery.return_id,
        "locale": rendered.locale,
        "subject": rendered.subject,
        "text": rendered.text,
        "sms": rendered.sms,
        "sent_at": at.isoformat(),
        # Only on a withdrawal's copy: the other messages' payload stays as documented.
        **({"withdrawal_id": delivery.withdrawal_id} if delivery.withdrawal_id else {}),
    }


class WebhookSender:
    channel: Literal["webhook"] = "webhook"

    def __init__(self, url: str, secret: str, now: Callable[[], datetime]) -> None:
        self._url = url
        self._secret = secret
        self._now = now

    def send(self, outgoing: Outgoing) -> str:
        at = self._now()
        body = json.dumps(payload(outgoing, at), separators=(",", ":")).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the merchant's configuration
            self._url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "promise-keeper",
                "X-Signature": signature(self._secret, body, at),
                "Idempotency-Key": outgoing.delivery.dedup_key,
            },
        )
        try:
            with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
                return str(response.headers.get("X-Request-Id") or outgoing.delivery.dedup_key)
        except urllib.error.HTTPError as exc:
            if exc.code in REFUSED:
                raise ChannelRejected(f"webhook: HTTP {exc.code}") from exc
            # 401/403/404, a redirect, 429, 5xx: the endpoint or its configuration, not this
            # message: retried, and kept in the dead-letter queue while it lasts.
            raise ChannelUnavailable(f"webhook: HTTP {exc.code}") from exc
        except TimeoutError as exc:  # the merchant may have taken it: see ChannelUnavailable
            raise ChannelUnavailable("webhook: TimeoutError", ambiguous=True) from exc
        except (
            urllib.error.URLError,
            http.client.HTTPException,  # a garbled answer: BadStatusLine, IncompleteRead, ...
            ConnectionError,
        ) as exc:
            raise ChannelUnavailable(f"webhook: {type(exc).__name__}") from exc


def build() -> WebhookSender:
    return WebhookSender(
        get_settings().merchant_webhook_url,
        get_secrets().merchant_webhook_secret,
        now=lambda: datetime.now(UTC),
    )
