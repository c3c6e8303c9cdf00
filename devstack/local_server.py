"""Chalice's local HTTP server, answering gateway errors as the deployed API Gateway does."""

from __future__ import annotations

from typing import Any

from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
)

from devstack.gateway import render


class GatewayRequestHandler(ChaliceRequestHandler):
    def _send_error_response(self, error: LocalGatewayException) -> None:
        status, headers, body = render(error)
        self._send_http_response(status, headers, body)


def create_server(app: Any, host: str, port: int) -> LocalDevServer:
    # As chalice.local.create_local_server: a thread-local current_request for the threaded server.
    if not isinstance(app, CustomLocalChalice):  # once per app: a second server reuses it
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    config = Config.create(chalice_stage="dev", app_name="promise-keeper")
    return LocalDevServer(app, config, host, port, handler_cls=GatewayRequestHandler)
