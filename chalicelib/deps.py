"""boto3 clients and repositories, built on first use and then kept for the container's life.

Nothing here runs at import time: building a client costs tens of milliseconds and reads the
environment, so the cold start pays for it only when a route needs it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.domain.promise.rules import PromiseConfig
    from chalicelib.services.orders import Context
    from chalicelib.store.orders import OrderRepository


@cache
def client(service: str) -> Any:
    import boto3  # imported here: routes that need no AWS (the quote) never load it

    return boto3.client(service)  # type: ignore[call-overload]


@cache
def order_repository() -> OrderRepository:
    from chalicelib.settings import get_settings
    from chalicelib.store.orders import OrderRepository

    return OrderRepository(client("dynamodb"), get_settings().table_name)


def reset() -> None:
    """Forget every client (tests switch between moto in-process and moto over HTTP)."""
    client.cache_clear()
    order_repository.cache_clear()


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
