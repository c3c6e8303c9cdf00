"""Chalice's local HTTP server, answering gateway errors as the deployed API Gateway does."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
)

from devstack.gateway import render, render_refusal


class GatewayRequestHandler(ChaliceRequestHandler):
    def __getattr__(self, name: str) -> Any:
        # http.server answers a method without a do_<METHOD> with an HTML 501. Every method goes
        # to the gateway instead, so an unknown one meets the 404 or 405 problem a known one does.
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (414 URL too long, 431 header too long or too many,
        400 malformed request line) as problem details instead of its HTML page."""
        del explain  # the standard page's long text; the problem's detail is the message
        status, headers, body = render_refusal(code, message or HTTPStatus(code).phrase)
        self.close_connection = True  # the rest of the refused request is not read
        self._send_http_response(status, {**headers, "Connection": "close"}, body)

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
