"""Environment → typed settings, read once per container (first call, not at import)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

# Documented development defaults (README "Configuration"): used by the local stack only.
DEV_MERCHANT_API_KEY = "dev-merchant-key"
DEV_WEBHOOK_SECRET = "dev-webhook-secret"
DEV_TOKEN_SECRET = "dev-token-secret"


def webhook_sources() -> tuple[str, ...]:
    """The webhook senders by their name in the path (the tracking registry's names, without
    loading its adapters: every function reads the secrets, few parse a webhook)."""
    from chalicelib.domain.webhook_sources import WEBHOOK_SOURCE_NAMES

    return WEBHOOK_SOURCE_NAMES


@dataclass(frozen=True)
class Secrets:
    merchant_key_hashes: tuple[str, ...]  # SHA-256 hex of each valid merchant API key
    webhook_secrets: dict[str, str] = field(hash=False)  # per source
    token_secret: str
    merchant_webhook_secret: str  # signs the notifications mirrored to the merchant's webhook
    # A rotation: the token secret replaced, and when. Tokens it signed stay valid for the
    # overlap (Settings.token_rotation_overlap_days) after that instant.
    previous_token_secret: str = ""
    token_secret_rotated_at: datetime | None = None

    def webhook_secret(self, source: str) -> str | None:
        """The secret ``source`` signs with; None for a name the registry does not list."""
        return self.webhook_secrets.get(source)


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
    customer_token_ttl_days: int = 365  # a customer token ends this long after its order
    token_rotation_overlap_days: int = 365  # the previous token secret's validity after rotation
    # Origins allowed to frame the product-page widget (CSP frame-ancestors); empty: none.
    widget_frame_ancestors: tuple[str, ...] = ()
    # The withdrawal function (docs/api.md, "Withdrawals"): the statutory period in days, how
    # long declarations are kept, acknowledgements per address and day, and the zone a receipt
    # is stated in when the declaration names no order of this shop.
    withdrawal_period_days: int = 14
    withdrawal_retention_days: int = 3 * 365 + 1
    withdrawal_daily_acknowledgements: int = 5
    withdrawal_time_zone: str = "Europe/Berlin"


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
        customer_token_ttl_days=int(env.get("PK_CUSTOMER_TOKEN_TTL_DAYS", "365")),
        token_rotation_overlap_days=int(env.get("PK_TOKEN_ROTATION_OVERLAP_DAYS", "365")),
        secrets_name=env.get("PK_SECRETS_NAME", ""),
        promise_rules_parameter=env.get("PK_PROMISE_RULES_PARAMETER", ""),
        widget_frame_ancestors=tuple(
            env.get("PK_WIDGET_FRAME_ANCESTORS", "").replace(",", " ").split()
        ),
        withdrawal_period_days=int(env.get("PK_WITHDRAWAL_PERIOD_DAYS", "14")),
        withdrawal_retention_days=int(env.get("PK_WITHDRAWAL_RETENTION_DAYS", str(3 * 365 + 1))),
        withdrawal_daily_acknowledgements=int(env.get("PK_WITHDRAWAL_DAILY_ACKNOWLEDGEMENTS", "5")),
        withdrawal_time_zone=env.get("PK_WITHDRAWAL_TIME_ZONE", "Europe/Berlin"),
    )


class SecretsUnavailable(RuntimeError):
    """The secrets are missing or incomplete: the function must stop rather than run open.

    Raised at first use (never at import). The message names what is missing, never a value.
    """


# The whole secret document; every field is required and none may be empty.
SECRET_FIELDS = (
    "merchant_api_key_sha256",
    "webhook_secrets",
    "token_secret",
    "merchant_webhook_secret",
)
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_WELL_KNOWN_DEV_VALUES = frozenset({DEV_MERCHANT_API_KEY, DEV_WEBHOOK_SECRET, DEV_TOKEN_SECRET})


def is_local_stack(env: Mapping[str, str]) -> bool:
    """The local stack (devstack.environment) points boto3 at the embedded AWS on this machine;
    a deployed function never has a loopback endpoint."""
    endpoint = env.get("AWS_ENDPOINT_URL", "")
    host = endpoint.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    return bool(endpoint) and host in _LOOPBACK_HOSTS


def _secrets_from_env(env: Mapping[str, str]) -> Secrets:
    """Secrets from PK_* variables. Only the local stack falls back to the well-known dev values;
    anywhere else each one must be given and must not be a dev value."""
    local = is_local_stack(env)

    def value(name: str, dev_default: str) -> str:
        found = env.get(name, "") or (dev_default if local else "")
        if not local and (not found or found in _WELL_KNOWN_DEV_VALUES):
            raise SecretsUnavailable(
                f"{name} is not set (or is a well-known development value) and PK_SECRETS_NAME "
                "is not set: outside the local stack every secret must be configured"
            )
        return found

    hashes = [h.strip() for h in env.get("PK_MERCHANT_API_KEY_SHA256", "").split(",") if h.strip()]
    if not hashes:
        hashes = [sha256_hex(value("PK_MERCHANT_API_KEY", DEV_MERCHANT_API_KEY))]
    shared = env.get("PK_WEBHOOK_SECRET", "")
    per_source = {
        source: env.get(f"PK_WEBHOOK_SECRET_{source.upper()}", "") or shared
        for source in webhook_sources()
    }
    if not all(per_source.values()):
        shared = value("PK_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET)
        per_source = {source: secret or shared for source, secret in per_source.items()}
    return Secrets(
        merchant_key_hashes=tuple(hashes),
        webhook_secrets=per_source,
        token_secret=value("PK_TOKEN_SECRET", DEV_TOKEN_SECRET),
        merchant_webhook_secret=env.get("PK_MERCHANT_WEBHOOK_SECRET", "")
        or shared
        or value("PK_MERCHANT_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET),
        **_rotation(
            "PK_*",
            env.get("PK_PREVIOUS_TOKEN_SECRET", ""),
            env.get("PK_TOKEN_SECRET_ROTATED_AT", ""),
            ("PK_PREVIOUS_TOKEN_SECRET", "PK_TOKEN_SECRET_ROTATED_AT"),
        ),
    )


def _rotation(
    source: str, previous: Any, rotated_at: Any, names: tuple[str, str]
) -> dict[str, Any]:
    """The previous token secret and when it was replaced: both, or neither (a previous secret
    without its instant would stay valid for ever; an instant without a secret means nothing)."""
    if not previous and not rotated_at:
        return {}
    if not (isinstance(previous, str) and previous):
        raise SecretsUnavailable(f"{source}: {names[1]} is set without {names[0]}")
    try:
        moment = datetime.fromisoformat(str(rotated_at))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise SecretsUnavailable(
            f"{source}: {names[0]} needs {names[1]}, an ISO 8601 instant with offset"
        )
    return {"previous_token_secret": previous, "token_secret_rotated_at": moment}


def _secrets_from_document(name: str, doc: Any) -> Secrets:
    """The Secrets Manager document, complete or not at all."""
    if not isinstance(doc, dict):
        raise SecretsUnavailable(f"secret {name!r} is not a JSON object")
    missing = [key for key in SECRET_FIELDS if not doc.get(key)]
    sources = doc.get("webhook_secrets")
    if isinstance(sources, dict):
        missing += [f"webhook_secrets.{s}" for s in webhook_sources() if not sources.get(s)]
    hashes = doc.get("merchant_api_key_sha256") or []
    if hashes and (
        not isinstance(hashes, list) or not all(isinstance(h, str) and h for h in hashes)
    ):
        missing.append("merchant_api_key_sha256 (a list of SHA-256 hex strings)")
    if missing:
        raise SecretsUnavailable(f"secret {name!r} is incomplete: missing {', '.join(missing)}")
    return Secrets(
        merchant_key_hashes=tuple(hashes),
        webhook_secrets={s: str(doc["webhook_secrets"][s]) for s in webhook_sources()},
        token_secret=str(doc["token_secret"]),
        merchant_webhook_secret=str(doc["merchant_webhook_secret"]),
        **_rotation(
            f"secret {name!r}",
            doc.get("previous_token_secret"),
            doc.get("token_secret_rotated_at"),
            ("previous_token_secret", "token_secret_rotated_at"),
        ),
    )


def get_secrets() -> Secrets:
    """Secrets from Secrets Manager in AWS (cached by Powertools for 5 minutes), else from env.

    Raises SecretsUnavailable when they are missing or incomplete: a deployed function without
    its secret stops with that error instead of running with a guessable key.
    """
    name = get_settings().secrets_name
    if not name:
        if "AWS_LAMBDA_FUNCTION_NAME" in os.environ and not is_local_stack(os.environ):
            raise SecretsUnavailable("PK_SECRETS_NAME is not set: a deployed function needs it")
        return _cached_env_secrets()
    # Imported here: Parameters pulls in boto3, which the local/dev path never needs.
    from aws_lambda_powertools.utilities import parameters

    try:
        doc = parameters.get_secret(name, transform="json", max_age=300)
    except (
        parameters.exceptions.GetParameterError,  # missing or denied
        parameters.exceptions.TransformParameterError,  # not JSON
    ) as error:
        raise SecretsUnavailable(f"secret {name!r} cannot be read: {error}") from error
    # Powertools hands back the same document object until it expires: check each one once,
    # not on every request.
    known = _VALIDATED.get(name)
    if known is not None and known[0] is doc:
        return known[1]
    secrets = _secrets_from_document(name, doc)
    _VALIDATED[name] = (doc, secrets)
    return secrets


# Secret name → (the document last read, the Secrets made from it).
_VALIDATED: dict[str, tuple[Any, Secrets]] = {}


@cache
def _cached_env_secrets() -> Secrets:
    return _secrets_from_env(os.environ)


def reset_caches() -> None:
    """Forget settings and secrets (tests change the environment between cases)."""
    get_settings.cache_clear()
    _cached_env_secrets.cache_clear()
    _VALIDATED.clear()
