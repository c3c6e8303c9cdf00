"""Benchmarks: figures measured as ratios within one run (the machine is shared and noisy).

Benchmarks run outside the local stack, where no secret falls back to a development value
(chalicelib/settings.py): they bring their own, unless the environment already has them.
"""

import os

for _name, _value in (
    ("PK_MERCHANT_API_KEY", "bench-merchant-key"),
    ("PK_WEBHOOK_SECRET", "bench-webhook-secret"),
    ("PK_TOKEN_SECRET", "bench-token-secret"),
):
    os.environ.setdefault(_name, _value)


def in_process_environment(merchant_key: str, webhook_secret: str, log_level: str) -> None:
    """The environment of a benchmark that runs the app against in-process moto: test
    credentials, its own secrets, no metrics, and no endpoint left over from a local stack."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="eu-central-1",
        PK_MERCHANT_API_KEY=merchant_key,
        PK_WEBHOOK_SECRET=webhook_secret,
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_LOG_LEVEL=log_level,
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)


def bytecode_environment(cache: str, *, write: bool) -> dict[str, str]:
    """The environment of a measured child process: bytecode read only from `cache` (never the
    installed __pycache__ directories), written there on first import; or, with `write` off
    and an empty cache, every module compiled from source on every import. The caller's
    PYTHONDONTWRITEBYTECODE is not passed on: it would silently compile in every sample."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env
