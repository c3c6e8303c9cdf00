"""Powertools Logger, Metrics and Tracer — one instance each, shared by every entry point.

Personal data (names, emails, phones, addresses) must never reach a log line. Code should not log
it in the first place; the redacting formatter below is the safety net that a test holds to.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

SERVICE = "promise-keeper"
REDACTED = "[redacted]"
PERSONAL_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "customer_name",
        "email",
        "phone",
        "address",
        "street",
        "address_line1",
        "address_line2",
        "postal_code",
        "zip",
        "city",
        "customer",
        "destination",
    }
)
# Values the platform generates (times, ids): phone-shaped digit runs there are not phones.
GENERATED_KEYS = frozenset(
    {
        "timestamp",
        "correlation_id",
        "request_id",
        "function_request_id",
        "xray_trace_id",
        "message_id",
        "sequence_number",
    }
)
# Ids the shop or a carrier gives (digit runs like phones): kept readable, so that operators
# can follow an order through the logs. They are no personal data.
ID_KEYS = frozenset(
    {"order_id", "shipment_id", "tracking_number", "return_id", "event_id", "outbox_message"}
)
# Bounded repetitions keep the scan linear on long strings (an unbounded one is quadratic).
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# A phone stands alone: not glued to a letter, digit, "-", "_" or "#" on either side, so the
# digits inside an id such as LRN-285526-118 or ORDER#1001 stay as they are.
_PHONE = re.compile(r"(?<![\w#-])\+?\d[\d ()/-]{7,20}\d(?![\w-])")


def redact(value: Any) -> Any:
    """Mask personal fields by key and email/phone shapes inside free text."""
    if isinstance(value, dict):
        return {
            k: REDACTED
            if k in PERSONAL_KEYS
            else v
            if k in GENERATED_KEYS or (k in ID_KEYS and isinstance(v, str))
            else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        if "@" in value:
            value = _EMAIL.sub(REDACTED, value)
        return _PHONE.sub(REDACTED, value)
    if value is None or isinstance(value, bool | int | float):
        return value
    # Anything else (an exception, a Decimal) would be str()-ed by the serializer: redact that.
    return redact(str(value))


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        return super().serialize(redact(log))


# Most requests record no business metric; Powertools warns on every such flush.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service=SERVICE, logger_formatter=RedactingFormatter())
metrics = Metrics(namespace="PromiseKeeper", service=SERVICE)


_cold_start = True


def invocation_log_keys(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Middleware (every event type): each invocation logs with its own keys only.

    The keys live in the thread's context (Powertools' thread-safe keys), set from this
    invocation's Lambda context and cleared before and after it. Keys appended to the shared
    logger stay for every later invocation of the container (an earlier request's order_id in
    the next one's lines), and in the local stack, whose server threads run beside the event
    pump, one thread's function_name reached another thread's lines.
    """
    global _cold_start
    context = getattr(event, "lambda_context", None) or getattr(event, "context", None)
    cold_start, _cold_start = _cold_start, False
    logger.thread_safe_clear_keys()
    logger.thread_safe_append_keys(cold_start=cold_start, **lambda_context_keys(context))
    try:
        return get_response(event)
    finally:
        logger.thread_safe_clear_keys()


def lambda_context_keys(context: Any) -> dict[str, Any]:
    """The keys Powertools' inject_lambda_context adds, from a Lambda context (or none)."""
    return {
        "function_name": getattr(context, "function_name", None),
        "function_memory_size": getattr(context, "memory_limit_in_mb", None),
        "function_arn": getattr(context, "invoked_function_arn", None),
        "function_request_id": getattr(context, "aws_request_id", None),
    }


def tracing_enabled() -> bool:
    # Creating a Tracer imports the X-Ray SDK (~200 ms) even when tracing is off, so it is only
    # built where it can trace: inside Lambda, unless switched off.
    env = os.environ
    disabled = env.get("POWERTOOLS_TRACE_DISABLED", "false").lower() in ("1", "true")
    return "AWS_LAMBDA_FUNCTION_NAME" in env and not disabled and "AWS_SAM_LOCAL" not in env


@cache
def get_tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


def capture_lambda_handler(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Lambda wrapper for ConvertToMiddleware: trace where tracing is on, pass through elsewhere."""
    if not tracing_enabled():
        return handler
    return get_tracer().capture_lambda_handler(handler)


def discard_unpublished_metrics(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Middleware: forget metrics that were not published (POWERTOOLS_METRICS_DISABLED).

    Powertools only clears the metric set when it publishes it, so with metrics off (the local
    stack) every invocation's metrics would pile up in the long-running process.
    """
    try:
        return get_response(event)
    finally:
        if metrics.metric_set:
            metrics.clear_metrics()
