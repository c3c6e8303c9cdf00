"""Faults injected into the embedded AWS: a request that matches is answered with the error the
real service sends, in that service's own wire format, before moto sees it.

The application's real clients then meet the fault exactly as they would meet AWS's: botocore
parses it into the same ClientError, retries it as its retry mode says, and the code under test
handles what comes out. Nothing in the application is replaced.

Tests add faults in-process (``FAULTS.add(Fault(...))``); by hand, against `make run`:

    curl -X POST http://127.0.0.1:4566/_devstack/faults -d '{"service": "dynamodb",
      "operation": "TransactWriteItems", "code": "ProvisionedThroughputExceededException"}'
    curl -X DELETE http://127.0.0.1:4566/_devstack/faults

A fault with ``hold_seconds`` keeps the matching request waiting first (then answers its error,
the request unapplied): a test kills the caller while it waits, as Lambda ends a function
mid-call.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

FAULTS_PATH = "/_devstack/faults"
# JSON protocol: X-Amz-Target's prefix → service; its suffix is the operation.
JSON_TARGETS = {
    "DynamoDB_20120810": "dynamodb",
    "DynamoDBStreams_20120810": "dynamodbstreams",
    "AmazonSQS": "sqs",
}
JSON_ERROR_PREFIX = {
    "dynamodb": "com.amazonaws.dynamodb.v20120810#",
    "dynamodbstreams": "com.amazonaws.dynamodb.v20120810#",
    "sqs": "com.amazonaws.sqs#",
}
# REST protocol (SES v2): (method, path) → operation.
SESV2_OPERATIONS = {("POST", "/v2/email/outbound-emails"): "SendEmail"}
STATUS_TEXT = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error",
               503: "Service Unavailable"}  # fmt: skip


@dataclass
class Fault:
    service: str  # dynamodb, dynamodbstreams, sqs, sesv2 or sns
    operation: str  # as in the service's API: TransactWriteItems, SendMessageBatch, Publish
    code: str  # the error code AWS sends: ProvisionedThroughputExceededException, Throttling
    status: int = 400
    times: int | None = None  # matching requests to answer with it; None: until cleared
    skip: int = 0  # matching requests let through first
    contains: str = ""  # only requests whose body holds this text (a key, a queue's name)
    hold_seconds: float = 0.0  # keep the request waiting this long first (or until released)
    extra: dict[str, Any] = field(default_factory=dict)  # more of the error body (DynamoDB)
    seen: int = 0  # matching requests so far
    injected: int = 0  # of which answered with the fault

    def describe(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    body: bytes


class FaultInjector:
    """The faults in force, shared by the server's threads and the test that sets them."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._held = threading.Condition(self._lock)
        self._holding = 0
        self._release = threading.Event()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """No fault any more; requests held now are answered at once."""
        with self._lock:
            self._faults.clear()
        self._release.set()
        self._release = threading.Event()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.describe() for f in self._faults]

    def wait_until_holding(self, count: int = 1, timeout: float = 60.0) -> bool:
        """Until ``count`` requests are being held (a test then kills their caller)."""
        with self._held:
            return self._held.wait_for(lambda: self._holding >= count, timeout)

    def fault_for(self, call: Call) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not _matches(fault, call):
                    continue
                fault.seen += 1
                if fault.seen <= fault.skip:
                    return None
                if fault.times is not None and fault.injected >= fault.times:
                    continue
                fault.injected += 1
                return fault
        return None

    def hold(self, fault: Fault) -> None:
        if fault.hold_seconds <= 0:
            return
        release = self._release
        with self._held:
            self._holding += 1
            self._held.notify_all()
        try:
            release.wait(fault.hold_seconds)
        finally:
            with self._held:
                self._holding -= 1


FAULTS = FaultInjector()


def _matches(fault: Fault, call: Call) -> bool:
    return (
        fault.service == call.service
        and fault.operation == call.operation
        and (not fault.contains or fault.contains.encode() in call.body)
    )


def call_of(environ: dict[str, Any], body: bytes) -> Call | None:
    """The service and operation an AWS request is for, from its wire format."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        prefix, _, operation = target.partition(".")
        service = JSON_TARGETS.get(prefix)
        return Call(service, operation, body) if service else None
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    if path.startswith("/v2/email/"):
        operation = SESV2_OPERATIONS.get((method, path))
        return Call("sesv2", operation, body) if operation else None
    if "/sns/" in environ.get("HTTP_AUTHORIZATION", ""):  # the credential scope names it
        action = parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
        return Call("sns", action, body)
    return None


def error_response(fault: Fault) -> tuple[str, list[tuple[str, str]], bytes]:
    """The fault as the service sends its errors: status line, headers, body."""
    status = f"{fault.status} {STATUS_TEXT.get(fault.status, 'Error')}"
    message = f"injected by the embedded AWS: {fault.code}"
    request_id = str(uuid.uuid4())
    if fault.service in JSON_ERROR_PREFIX:
        error = {"__type": JSON_ERROR_PREFIX[fault.service] + fault.code, "message": message}
        body = json.dumps({**error, **fault.extra}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0")]
    elif fault.service == "sesv2":
        body = json.dumps({"message": message}).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", fault.code)]
    else:  # the query protocol (SNS)
        kind = "Receiver" if fault.status >= 500 else "Sender"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{fault.code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId>"
            "</ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    return status, [*headers, ("x-amzn-RequestId", request_id)], body


class FaultInjection:
    """WSGI wrapper: answers a request that matches a fault with its error, before moto."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], injector: FaultInjector = FAULTS
    ) -> None:
        self._app = app
        self._injector = injector

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == FAULTS_PATH:
            return self._control(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        call = call_of(environ, body)
        fault = self._injector.fault_for(call) if call else None
        if fault is None:
            return self._app(environ, start_response)
        self._injector.hold(fault)  # outside the emulator's lock: other requests go on
        status, headers, answer = error_response(fault)
        start_response(status, [*headers, ("Content-Length", str(len(answer)))])
        return [answer]

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ.get("REQUEST_METHOD")
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            fields = json.loads(environ["wsgi.input"].read(length) or b"{}")
            self._injector.add(Fault(**fields))
        elif method == "DELETE":
            self._injector.clear()
        body = json.dumps(self._injector.describe()).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
