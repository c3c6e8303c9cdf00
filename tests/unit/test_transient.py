"""Which AWS failures a route passes on as retryable (429/503), by code, never by message."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from chalicelib.store.transient import THROTTLED, UNAVAILABLE, Transient, transient_failure


def client_error(code: str, status: int = 400, reasons: list[str] | None = None) -> ClientError:
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": "anna@example.com was refused"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": r} for r in reasons]
    return ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (client_error("ProvisionedThroughputExceededException"), THROTTLED),
        (client_error("ThrottlingException"), THROTTLED),
        (client_error("RequestLimitExceeded"), THROTTLED),
        (client_error("InternalServerError", 500), UNAVAILABLE),
        (client_error("TransactionConflictException"), UNAVAILABLE),
        (client_error("SomethingNew", 503), UNAVAILABLE),
        (client_error("TransactionCanceledException", 400, ["None", "ThrottlingError"]), THROTTLED),
        (client_error("TransactionCanceledException", 400, ["TransactionConflict"]), UNAVAILABLE),
        (EndpointConnectionError(endpoint_url="https://dynamodb"), UNAVAILABLE),
        (ReadTimeoutError(endpoint_url="https://dynamodb"), UNAVAILABLE),
    ],
)
def test_passing_failures_are_retryable(error: Exception, expected: Transient) -> None:
    assert transient_failure(error) == expected


@pytest.mark.parametrize(
    "error",
    [
        client_error("ValidationException"),
        client_error("ConditionalCheckFailedException"),
        client_error("TransactionCanceledException", 400, ["ConditionalCheckFailed"]),
        client_error("AccessDeniedException"),
        RuntimeError("a bug"),
    ],
)
def test_everything_else_is_not(error: Exception) -> None:
    assert transient_failure(error) is None
