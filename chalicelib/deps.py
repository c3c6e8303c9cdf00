"""boto3 clients and repositories, built on first use and then kept for the container's life.

Nothing here runs at import time: building a client costs tens of milliseconds and reads the
environment, so the cold start pays for it only when a route needs it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.channels.base import Sender
    from chalicelib.domain.notifications import Channel
    from chalicelib.domain.promise.rules import PromiseConfig
    from chalicelib.services.feedback import FeedbackContext
    from chalicelib.services.notifications import NotificationContext
    from chalicelib.services.orders import Context
    from chalicelib.store.counters import CounterStore
    from chalicelib.store.orders import OrderRepository
    from chalicelib.store.queue import NotificationQueue


@cache
def client(service: str) -> Any:
    import boto3  # imported here: routes that need no AWS (the quote) never load it

    return boto3.client(service)  # type: ignore[call-overload]


@cache
def order_repository() -> OrderRepository:
    from chalicelib.settings import get_settings
    from chalicelib.store.orders import OrderRepository

    return OrderRepository(client("dynamodb"), get_settings().table_name)


@cache
def counter_store() -> CounterStore:
    from chalicelib.settings import get_settings
    from chalicelib.store.counters import CounterStore

    return CounterStore(client("dynamodb"), get_settings().table_name)


def reset() -> None:
    """Forget every client (tests switch between moto in-process and moto over HTTP)."""
    client.cache_clear()
    _channel_client.cache_clear()
    order_repository.cache_clear()
    counter_store.cache_clear()
    notification_queue.cache_clear()


def promise_config() -> PromiseConfig:
    """The promise rules: the packaged TOML files, or an override document in AWS.

    With PK_PROMISE_RULES_PARAMETER set, the document {"rules": ..., "catalogue": ...} is read
    from SSM Parameter Store through Powertools Parameters (cached 5 minutes); each distinct
    document is validated once per container.
    """
    from chalicelib.config.loader import load_config
    from chalicelib.settings import get_settings

    name = get_settings().promise_rules_parameter
    if not name:
        return load_config()
    from aws_lambda_powertools.utilities import parameters

    document = parameters.get_parameter(name, transform="json", max_age=300)
    return load_config(document)


def orders_context() -> Context:
    """Everything the order use cases need, wired for this container (clock: the real one)."""
    from datetime import UTC, datetime

    from chalicelib.services.orders import Context
    from chalicelib.settings import get_secrets, get_settings

    return Context(
        repository=order_repository(),
        token_secret=get_secrets().token_secret,
        public_base_url=get_settings().public_base_url,
        now=lambda: datetime.now(UTC),
        promise_config=promise_config,
    )


@cache
def notification_queue() -> NotificationQueue:
    from chalicelib.settings import get_settings
    from chalicelib.store.queue import NotificationQueue

    return NotificationQueue(client("sqs"), get_settings().notifications_queue_url)


@cache
def _channel_client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    # Throttling is retried inside the call first (standard mode: jittered backoff, 3 tries);
    # what still fails goes back to the queue with a longer pause.
    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=10,  # botocore's 60 s would let one slow send eat a whole invocation
    )
    return boto3.client(service, config=config)  # type: ignore[call-overload]


def sender_for(channel: Channel) -> Sender:
    from datetime import UTC, datetime

    from chalicelib.channels.email import EmailSender
    from chalicelib.channels.sms import SmsSender
    from chalicelib.channels.webhook import WebhookSender
    from chalicelib.settings import get_secrets, get_settings

    settings = get_settings()
    if channel == "email":
        return EmailSender(
            _channel_client("sesv2"), settings.sender_email, settings.ses_configuration_set
        )
    if channel == "sms":
        return SmsSender(_channel_client("sns"), settings.sms_sender_id)
    return WebhookSender(
        settings.merchant_webhook_url,
        get_secrets().merchant_webhook_secret,
        now=lambda: datetime.now(UTC),
    )


def notification_context() -> NotificationContext:
    from chalicelib.domain.notifications import NotificationPolicy
    from chalicelib.services.notifications import NotificationContext
    from chalicelib.settings import get_settings
    from chalicelib.store.notifications import NotificationLog

    settings = get_settings()
    return NotificationContext(
        orders=orders_context(),
        log=NotificationLog(client("dynamodb"), settings.table_name),
        queue=notification_queue(),
        sender_for=sender_for,
        policy=NotificationPolicy(merchant_webhook=bool(settings.merchant_webhook_url)),
        shop_name=settings.shop_name,
    )


def feedback_context() -> FeedbackContext:
    """The feedback use cases, wired for this container (clock: the real one)."""
    from datetime import UTC, datetime

    from chalicelib.services.feedback import FeedbackContext
    from chalicelib.settings import get_secrets, get_settings
    from chalicelib.store.feedback import FeedbackStore

    return FeedbackContext(
        orders=order_repository(),
        ratings=FeedbackStore(client("dynamodb"), get_settings().table_name),
        counters=counter_store(),
        token_secret=get_secrets().token_secret,
        now=lambda: datetime.now(UTC),
    )
