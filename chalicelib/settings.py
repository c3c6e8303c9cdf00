"""Environment → typed settings, read once per container (first call, not at import)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

# Documented development defaults (README "Configuration"): never used when PK_SECRETS_NAME is set.
DEV_MERCHANT_API_KEY = "dev-merchant-key"
DEV_WEBHOOK_SECRET = "dev-webhook-secret"
DEV_TOKEN_SECRET = "dev-token-secret"
WEBHOOK_SOURCES = ("generic", "easypost", "aftership", "shippo", "17track")


@dataclass(frozen=True)
class Secrets:
    merchant_key_hashes: tuple[str, ...]  # SHA-256 hex of each valid merchant API key
    webhook_secrets: dict[str, str] = field(hash=False)  # per source
    token_secret: str
    merchant_webhook_secret: str  # signs the notifications mirrored to the merchant's webhook


@dataclass(frozen=True)
class Settings:
    table_name: str
    notifications_queue_url: str
    public_base_url: str
    sender_email: str
    merchant_webhook_url: str  # empty: no omnichannel mirror of notifications
    shop_name: str  # signs off the customer's messages; empty: "your customer service"
    sms_sender_id: str  # alphanumeric SMS sender where the destination country allows one
    ses_configuration_set: str  # SES event publishing (bounces, complaints); empty: none
    version: str
    max_body_bytes: int
    promise_token_ttl_seconds: int
    secrets_name: str  # empty locally: secrets come from PK_* variables
    promise_rules_parameter: str  # empty: the rules packaged in chalicelib/config
    learned_windows: bool = True  # quote lanes with enough delivered parcels from their history
    learned_min_parcels: int = 100
    learned_horizon_weeks: int = 8
    learned_refresh_seconds: int = 300  # the quote's per-container cache of learned lanes


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@cache
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env.get("PK_TABLE_NAME", "promise-keeper"),
        notifications_queue_url=env.get("PK_NOTIFICATIONS_QUEUE_URL", ""),
        public_base_url=env.get("PK_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        sender_email=env.get("PK_SENDER_EMAIL", "orders@shop.example"),
        merchant_webhook_url=env.get("PK_MERCHANT_WEBHOOK_URL", ""),
        shop_name=env.get("PK_SHOP_NAME", ""),
        sms_sender_id=env.get("PK_SMS_SENDER_ID", ""),
        ses_configuration_set=env.get("PK_SES_CONFIGURATION_SET", ""),
        version=env.get("PK_VERSION", "0.1.0"),
        max_body_bytes=int(env.get("PK_MAX_BODY_BYTES", str(256 * 1024))),
        promise_token_ttl_seconds=int(env.get("PK_PROMISE_TOKEN_TTL_SECONDS", "7200")),
        learned_windows=env.get("PK_LEARNED_WINDOWS", "true").lower() != "false",
        learned_min_parcels=int(env.get("PK_LEARNED_MIN_PARCELS", "100")),
        learned_horizon_weeks=int(env.get("PK_LEARNED_HORIZON_WEEKS", "8")),
        learned_refresh_seconds=int(env.get("PK_LEARNED_REFRESH_SECONDS", "300")),
        secrets_name=env.get("PK_SECRETS_NAME", ""),
        promise_rules_parameter=env.get("PK_PROMISE_RULES_PARAMETER", ""),
    )


def _secrets_from_env() -> Secrets:
    env = os.environ
    hashes = [h.strip() for h in env.get("PK_MERCHANT_API_KEY_SHA256", "").split(",") if h.strip()]
    if not hashes:
        hashes = [sha256_hex(env.get("PK_MERCHANT_API_KEY", DEV_MERCHANT_API_KEY))]
    shared = env.get("PK_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET)
    per_source = {
        source: env.get(f"PK_WEBHOOK_SECRET_{source.upper()}", shared) for source in WEBHOOK_SOURCES
    }
    return Secrets(
        merchant_key_hashes=tuple(hashes),
        webhook_secrets=per_source,
        token_secret=env.get("PK_TOKEN_SECRET", DEV_TOKEN_SECRET),
        merchant_webhook_secret=env.get("PK_MERCHANT_WEBHOOK_SECRET", shared),
    )


def _secrets_from_document(doc: dict[str, Any]) -> Secrets:
    return Secrets(
        merchant_key_hashes=tuple(doc["merchant_api_key_sha256"]),
        webhook_secrets=dict(doc["webhook_secrets"]),
        token_secret=doc["token_secret"],
        merchant_webhook_secret=doc.get("merchant_webhook_secret", ""),
    )


def get_secrets() -> Secrets:
    """Secrets from Secrets Manager in AWS (cached by Powertools for 5 minutes), else from env."""
    name = get_settings().secrets_name
    if not name:
        return _cached_env_secrets()
    # Imported here: Parameters pulls in boto3, which the local/dev path never needs.
    from aws_lambda_powertools.utilities import parameters

    doc = parameters.get_secret(name, transform="json", max_age=300)
    return _secrets_from_document(doc)


@cache
def _cached_env_secrets() -> Secrets:
    return _secrets_from_env()


def reset_caches() -> None:
    """Forget settings and secrets (tests change the environment between cases)."""
    get_settings.cache_clear()
    _cached_env_secrets.cache_clear()
