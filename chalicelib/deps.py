"""The composition root: boto3 clients, repositories and services, built on first use.

Routes and handlers reach services through the typed accessors here, and only here. Nothing
runs at import time: building a client costs tens of milliseconds and reads the environment,
and the modules behind these accessors (boto3, the store, the rules, the tracking adapters) load
with the first request that needs them — ``import app`` stays small (see the cold-start test).
"""

from __future__ import annotations

from functools import cache, lru_cache
from time import monotonic as _monotonic
from typing import TYPE_CHECKING, NamedTuple

from chalicelib.settings import Settings, get_secrets, get_settings

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from pydantic import BaseModel

    from chalicelib.api.pages.render import PageRenderer
    from chalicelib.channels.base import Sender
    from chalicelib.domain.channels import Channel
    from chalicelib.domain.customer_tokens import CustomerTokens
    from chalicelib.domain.promise.rules import PromiseConfig
    from chalicelib.domain.returns import ReturnPolicy
    from chalicelib.domain.token_keys import TokenKeys
    from chalicelib.domain.tracking import WebhookSource
    from chalicelib.services.accuracy import AccuracyService
    from chalicelib.services.feedback import FeedbackContext, FeedbackService
    from chalicelib.services.learned_lanes import LearnedLaneCache
    from chalicelib.services.notifications import NotificationContext
    from chalicelib.services.orders import Context, OrderService
    from chalicelib.services.pages import CustomerPages
    from chalicelib.services.promise import QuoteService
    from chalicelib.services.published import PublishedPromise
    from chalicelib.services.returns import ReturnsContext, ReturnService
    from chalicelib.services.withdrawal_mail import AcknowledgementContext
    from chalicelib.services.withdrawals import WithdrawalService
    from chalicelib.store.counters import CounterStore
    from chalicelib.store.feedback import FeedbackStore
    from chalicelib.store.learned_snapshot import LearnedSnapshotStore
    from chalicelib.store.orders import OrderRepository
    from chalicelib.store.queue import NotificationQueue
    from chalicelib.store.returns import ReturnRepository
    from chalicelib.store.withdrawals import WithdrawalStore


# -- boto3 clients -------------------------------------------------------------------------------
@cache
def dynamodb() -> DynamoDBClient:
    import boto3  # imported here: routes that need no AWS (the quote) never load it

    return boto3.client("dynamodb", config=_table_and_queue_config())


@cache
def sqs() -> SQSClient:
    import boto3

    return boto3.client("sqs", config=_table_and_queue_config())


def _table_and_queue_config() -> Config:
    from botocore.config import Config

    # Three tries within about 3 s (standard mode), not DynamoDB's legacy ten within ~25 s: a
    # route still throttled after them answers 429/503 with Retry-After well inside API
    # Gateway's 29 s, and a stream or queue handler fails its batch, which is handed again.
    return Config(retries={"mode": "standard", "max_attempts": 3})


def _channel_config() -> Config:
    from botocore.config import Config

    # Throttling is retried inside the call first (standard mode: jittered backoff, 3 tries);
    # what still fails goes back to the queue with a longer pause.
    return Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=10,  # botocore's 60 s would let one slow send eat a whole invocation
    )


@cache
def sesv2() -> SESV2Client:
    import boto3

    return boto3.client("sesv2", config=_channel_config())


@cache
def sns() -> SNSClient:
    import boto3

    return boto3.client("sns", config=_channel_config())


# -- repositories --------------------------------------------------------------------------------
@cache
def order_repository() -> OrderRepository:
    from chalicelib.store.orders import OrderRepository

    return OrderRepository(dynamodb(), get_settings().table_name)


@cache
def notification_queue() -> NotificationQueue:
    from chalicelib.store.queue import NotificationQueue

    return NotificationQueue(sqs(), get_settings().notifications_queue_url)


@cache
def feedback_store() -> FeedbackStore:
    from chalicelib.store.feedback import FeedbackStore

    return FeedbackStore(dynamodb(), get_settings().table_name)


@cache
def counter_store() -> CounterStore:
    from chalicelib.store.counters import CounterStore

    return CounterStore(dynamodb(), get_settings().table_name)


@cache
def return_repository() -> ReturnRepository:
    from chalicelib.store.returns import ReturnRepository

    return ReturnRepository(dynamodb(), get_settings().table_name)


def return_policy() -> ReturnPolicy:
    """The packaged returns.toml, read once. Its module loads with the first read: every order
    use case carries the returns context, and the sweep or the sender seldom read the policy."""
    from chalicelib.config.returns import load_return_policy

    return load_return_policy()


def returns_context() -> ReturnsContext:
    """Everything the return use cases need (policy: the packaged returns.toml)."""
    from datetime import UTC, datetime

    from chalicelib.services.returns import ReturnsContext

    return ReturnsContext(
        returns=return_repository(),
        orders=order_repository(),
        counters=counter_store(),
        policy=return_policy,
        now=lambda: datetime.now(UTC),
    )


def return_service() -> ReturnService:
    from chalicelib.services.returns import ReturnService

    return ReturnService(returns_context())


def reset() -> None:
    """Forget every client (tests switch between moto in-process and moto over HTTP)."""
    for accessor in (
        dynamodb,
        sqs,
        sesv2,
        sns,
        order_repository,
        notification_queue,
        counter_store,
        return_repository,
        feedback_store,
        learned_lanes,
        learned_snapshots,
        _quote_service,
    ):
        accessor.cache_clear()
    global _held
    _held = None


# -- the promise ---------------------------------------------------------------------------------
def promise_config() -> PromiseConfig:
    """The promise rules: the packaged TOML files, or an override document in AWS.

    With PK_PROMISE_RULES_PARAMETER set, the document {"rules": ..., "catalogue": ...} is read
    from SSM Parameter Store through Powertools Parameters (cached 5 minutes); each distinct
    document is validated once per container.
    """
    from chalicelib.config.loader import load_config, load_fetched_config

    name = get_settings().promise_rules_parameter
    if not name:
        return load_config()
    from aws_lambda_powertools.utilities import parameters

    document = parameters.get_parameter(name, transform="json", max_age=300)
    return load_fetched_config(document)


def quote_service() -> QuoteService:
    """Quotes with this container's rules and token secret (the engine loads with the first).

    One service per rules document and secret, reused: the quote asks for it on every request.
    Its sources (the rules, the secret) are looked up again at most every
    QUOTE_SOURCES_RECHECK_SECONDS: both are cached for minutes anyway (Powertools' max_age), and
    asking those caches on every quote cost more than a tenth of the quote. New settings (the
    tests' reset_caches) are seen at once.
    """
    settings = get_settings()
    held = _held_quote_service(settings)
    return held if held is not None else _recheck_quote_service(settings)


def promise_token_secret() -> str:
    """The secret promise tokens are checked with: the one this container's quotes sign with.

    While the quote service is held, that is its secret, even when Secrets Manager has a newer
    one it has not picked up yet: an order then accepts the token its own container quoted.
    """
    held = _held_quote_service(get_settings())
    return held.token_secret if held is not None else get_secrets().token_secret


class _HeldQuoteService(NamedTuple):
    settings: Settings  # new settings (the tests' reset_caches) end the hold at once
    until: float  # monotonic seconds
    service: QuoteService


QUOTE_SOURCES_RECHECK_SECONDS = 5.0
_held: _HeldQuoteService | None = None


def _held_quote_service(settings: Settings) -> QuoteService | None:
    held = _held
    if held is not None and held.settings is settings and _monotonic() < held.until:
        return held.service
    return None


def _recheck_quote_service(settings: Settings) -> QuoteService:
    global _held
    service = _quote_service(
        promise_config(),
        get_secrets().token_secret,
        settings.promise_token_ttl_seconds,
        settings.learned_windows,
    )
    _held = _HeldQuoteService(settings, _monotonic() + QUOTE_SOURCES_RECHECK_SECONDS, service)
    return service


@lru_cache(maxsize=4)  # rules or secret replaced while the container runs: a few at most
def _quote_service(
    config: PromiseConfig, token_secret: str, ttl_seconds: int, learned_windows: bool
) -> QuoteService:
    from datetime import timedelta

    from chalicelib.services.promise import QuoteService

    return QuoteService(
        config=config,
        token_secret=token_secret,
        token_ttl=timedelta(seconds=ttl_seconds),
        learned=learned_lanes().current if learned_windows else lambda: None,
    )


def published_promise() -> PublishedPromise:
    """Structured data, Merchant Center times and the widget, from the quote's own rules and
    learned lanes."""
    from chalicelib.services.published import PublishedPromise

    learned = learned_lanes().current if get_settings().learned_windows else lambda: None
    return PublishedPromise(promise_config(), learned, return_policy)


def accuracy_service() -> AccuracyService:
    from chalicelib.services.accuracy import AccuracyService

    return AccuracyService(counter_store(), promise_config(), learned_lanes().current)


@cache
def learned_lanes() -> LearnedLaneCache:
    """The container's learned lanes, read from the counters every few minutes."""
    from chalicelib.services.learned_lanes import LearnedLaneCache

    settings = get_settings()
    return LearnedLaneCache(
        counter_store(),
        horizon_weeks=settings.learned_horizon_weeks,
        min_parcels=settings.learned_min_parcels,
        refresh_seconds=settings.learned_refresh_seconds,
        snapshots=learned_snapshots(),
    )


@cache
def learned_snapshots() -> LearnedSnapshotStore:
    from chalicelib.store.learned_snapshot import LearnedSnapshotStore

    return LearnedSnapshotStore(dynamodb(), get_settings().table_name)


def refresh_learned_snapshot() -> bool:
    """The projector's part: the snapshot rewritten if a lane's window changed at a share of
    the packaged rules."""
    from datetime import UTC, datetime

    from chalicelib.services.learned_lanes import refresh_snapshot

    settings = get_settings()
    return refresh_snapshot(
        counter_store(),
        learned_snapshots(),
        horizon_weeks=settings.learned_horizon_weeks,
        min_parcels=settings.learned_min_parcels,
        shares={rule.learned_share for rule in promise_config().rules.rules},
        now=datetime.now(UTC),
    )


# -- tokens --------------------------------------------------------------------------------------
def token_keys() -> TokenKeys:
    """The token secret, and the previous one while its rotation's overlap lasts."""
    from datetime import timedelta

    from chalicelib.domain.token_keys import TokenKeys

    secrets = get_secrets()
    rotated_at = secrets.token_secret_rotated_at
    overlap = timedelta(days=get_settings().token_rotation_overlap_days)
    return TokenKeys(
        current=secrets.token_secret,
        previous=secrets.previous_token_secret or None,
        previous_until=rotated_at + overlap if rotated_at is not None else None,
    )


def customer_tokens() -> CustomerTokens:
    from datetime import timedelta

    from chalicelib.domain.customer_tokens import CustomerTokens

    return CustomerTokens(token_keys(), timedelta(days=get_settings().customer_token_ttl_days))


# -- orders and carrier events -------------------------------------------------------------------
def orders_context() -> Context:
    """Everything the order use cases need, wired for this container (clock: the real one)."""
    from datetime import UTC, datetime

    from chalicelib.services.orders import Context

    return Context(
        repository=order_repository(),
        customer_tokens=customer_tokens(),
        promise_token_secret=promise_token_secret(),
        public_base_url=get_settings().public_base_url,
        now=lambda: datetime.now(UTC),
        promise_config=promise_config,
        returns=return_service(),
        rating_of=feedback_store().get,
    )


def order_service() -> OrderService:
    from chalicelib.services.orders import OrderService

    return OrderService(orders_context())


def webhook_source(name: str) -> WebhookSource:
    """The carrier webhook sender named in the path (the formats load with the first webhook)."""
    from chalicelib.domain.tracking import get_source

    return get_source(name)


def generic_webhook_batch() -> type[BaseModel]:
    """The generic webhook format's model, for the OpenAPI document."""
    from chalicelib.domain.tracking.sources.generic import GenericBatch

    return GenericBatch


# -- notifications -------------------------------------------------------------------------------
def sender_for(channel: Channel) -> Sender:
    from chalicelib.channels.registry import SENDERS

    return SENDERS[channel]()


def notification_context() -> NotificationContext:
    from chalicelib.domain.notifications import NotificationPolicy
    from chalicelib.services.notifications import NotificationContext
    from chalicelib.store.notifications import NotificationLog

    settings = get_settings()
    return NotificationContext(
        orders=orders_context(),
        log=NotificationLog(dynamodb(), settings.table_name),
        queue=notification_queue,
        sender_for=sender_for,
        policy=NotificationPolicy(merchant_webhook=bool(settings.merchant_webhook_url)),
        shop_name=settings.shop_name,
    )


def feedback_context() -> FeedbackContext:
    """The feedback use cases, wired for this container (clock: the real one)."""
    from datetime import UTC, datetime

    from chalicelib.services.feedback import FeedbackContext

    return FeedbackContext(
        orders=order_repository(),
        ratings=feedback_store(),
        counters=counter_store(),
        customer_tokens=customer_tokens(),
        now=lambda: datetime.now(UTC),
    )


def feedback_service() -> FeedbackService:
    from chalicelib.services.feedback import FeedbackService

    return FeedbackService(feedback_context())


# -- the customer's pages ------------------------------------------------------------------------
def customer_pages() -> CustomerPages:
    from chalicelib.services.pages import CustomerPages

    return CustomerPages(orders_context())


@cache
def page_renderer() -> PageRenderer:
    """The pages' templates (Jinja2 loads with the first page, not with the app)."""
    from chalicelib.api.pages.render import PageRenderer

    return PageRenderer()


# -- withdrawals ---------------------------------------------------------------------------------
def withdrawal_store() -> WithdrawalStore:
    from chalicelib.store.withdrawals import WithdrawalStore

    return WithdrawalStore(dynamodb(), get_settings().table_name)


def withdrawal_service() -> WithdrawalService:
    from datetime import UTC, datetime

    from chalicelib.services.withdrawals import (
        WithdrawalRules,
        WithdrawalsContext,
        WithdrawalService,
    )

    settings = get_settings()
    rules = WithdrawalRules(
        period_days=settings.withdrawal_period_days,
        retention_days=settings.withdrawal_retention_days,
        daily_acknowledgements=settings.withdrawal_daily_acknowledgements,
        time_zone=settings.withdrawal_time_zone,
    )
    return WithdrawalService(
        WithdrawalsContext(
            withdrawals=withdrawal_store(),
            orders=order_repository(),
            returns=return_repository(),
            rules=rules,
            now=lambda: datetime.now(UTC),
        )
    )


def acknowledgement_context() -> AcknowledgementContext:
    """The withdrawal acknowledgement's sender: its claims live in the declaration's partition."""
    from datetime import UTC, datetime

    from chalicelib.services.withdrawal_mail import AcknowledgementContext
    from chalicelib.store import keys
    from chalicelib.store.notifications import NotificationLog

    settings = get_settings()
    return AcknowledgementContext(
        withdrawals=withdrawal_store(),
        log=NotificationLog(dynamodb(), settings.table_name, keys.withdrawal_notification_key),
        sender_for=sender_for,
        merchant_webhook=bool(settings.merchant_webhook_url),
        shop_name=settings.shop_name,
        now=lambda: datetime.now(UTC),
    )
