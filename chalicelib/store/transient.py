"""Which AWS failures are passing, and how long a caller should wait before trying again.

A route whose write was throttled or met an outage changed nothing (every write is one
conditional transaction, or several that each stand alone and are recognised when sent again):
the edge answers 429 or 503 with ``Retry-After`` instead of a 500, so the storefront, the OMS or
the carrier's aggregator sends the same request again. Errors are told apart by their code and
class, never by their message.
"""

from __future__ import annotations

from dataclasses import dataclass

# The service is short of capacity for this caller: slowing down helps (429).
THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
    }
)
# The service failed or is busy with the same item: trying again shortly helps (503).
UNAVAILABLE_CODES = frozenset(
    {
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "TransactionInProgressException",
        "TransactionConflictException",
    }
)
# A cancelled transaction's reasons that say the same about one of its items.
THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})
UNAVAILABLE_REASONS = frozenset({"TransactionConflict"})
THROTTLED_RETRY_AFTER = 1  # seconds: DynamoDB on demand adapts within seconds
UNAVAILABLE_RETRY_AFTER = 5


@dataclass(frozen=True, slots=True)
class Transient:
    throttled: bool  # True: 429 (slow down); False: 503 (the service failed)
    retry_after: int  # seconds


THROTTLED = Transient(throttled=True, retry_after=THROTTLED_RETRY_AFTER)
UNAVAILABLE = Transient(throttled=False, retry_after=UNAVAILABLE_RETRY_AFTER)


def transient_failure(exc: BaseException) -> Transient | None:
    """The kind of passing failure ``exc`` is, or None when trying again would not help."""
    # botocore is imported only when it raised: this module must not load it for `import app`.
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(exc, ConnectionError | HTTPClientError):  # timeouts, refused, reset
        return UNAVAILABLE
    if not isinstance(exc, ClientError):
        return None
    code = exc.response.get("Error", {}).get("Code", "")
    if code in THROTTLING_CODES:
        return THROTTLED
    if code in UNAVAILABLE_CODES:
        return UNAVAILABLE
    if code == "TransactionCanceledException":
        reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
        if reasons & THROTTLED_REASONS:
            return THROTTLED
        if reasons & UNAVAILABLE_REASONS:
            return UNAVAILABLE
        return None
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return UNAVAILABLE if status >= 500 else None
