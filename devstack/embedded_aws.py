"""moto's server as the embedded AWS, with each request applied atomically.

moto evaluates a DynamoDB transaction's conditions and applies its writes without a lock, so two
concurrent conditional transactions can both pass — which DynamoDB never allows. Serialising
request handling (connections stay concurrent) gives conditional writes AWS's semantics, and with
them the tests of concurrent webhooks their meaning.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from devstack import moto_reads, moto_transactions, untracked_models
from devstack.environment import REGION
from devstack.faults import FaultInjection


class Mailbox:
    """WSGI wrapper: GET /_devstack/mailbox answers what SES and SNS have sent (`make mail`)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], region: str) -> None:
        self._app = app
        self._region = region

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        from devstack.mailbox import MAILBOX_PATH, mailbox

        if environ.get("PATH_INFO") != MAILBOX_PATH:
            return self._app(environ, start_response)
        body = json.dumps(mailbox(self._region), ensure_ascii=False).encode()
        start_response("200 OK", [("Content-Type", "application/json; charset=utf-8")])
        return [body]


# Held while moto handles a request; also by what changes moto's state in-process
# (devstack/stream_retention.py).
EMULATOR_LOCK = threading.Lock()


class AtomicRequests:
    """WSGI wrapper: one request at a time inside the emulator (moto renders bodies eagerly)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = EMULATOR_LOCK

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


class EmbeddedAWS(ThreadedMotoServer):
    def _server_entry(self) -> None:
        moto_transactions.install()
        untracked_models.install()
        moto_reads.install()
        moto = AtomicRequests(DomainDispatcherApplication(create_backend_app))
        app = Mailbox(FaultInjection(moto), REGION)
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
