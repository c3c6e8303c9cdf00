"""Builds the Chalice app: middleware first (Chalice binds it when a blueprint registers), then
every blueprint. app.py calls this once; tests call it to add a probe blueprint."""

from __future__ import annotations

from chalice import Blueprint, Chalice, ConvertToMiddleware
from chalice.app import EventSourceHandler

from chalicelib.api.blueprints import BLUEPRINTS
from chalicelib.api.http import correlation_middleware
from chalicelib.api.problems import problem_middleware
from chalicelib.handlers.blueprints import HANDLERS
from chalicelib.observability import (
    capture_lambda_handler,
    discard_unpublished_metrics,
    invocation_log_keys,
    metrics,
)

APP_NAME = "promise-keeper"


def create_app(extra: tuple[Blueprint, ...] = ()) -> Chalice:
    # Chalice's app.log and the Powertools logger share the service's logger name; left to
    # configure logs, Chalice would add a plain-text handler and raise the level to ERROR.
    app = Chalice(app_name=APP_NAME, configure_logs=False)
    # Outermost first: the log keys of the invocation are set before anything else logs.
    app.register_middleware(invocation_log_keys)
    app.register_middleware(ConvertToMiddleware(capture_lambda_handler))
    app.register_middleware(discard_unpublished_metrics)  # outside log_metrics: runs after it
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
    app.register_middleware(correlation_middleware, "http")
    app.register_middleware(problem_middleware, "http")
    for blueprint in (*BLUEPRINTS, *HANDLERS, *extra):
        app.register_blueprint(blueprint)
    return app


def event_handlers(app: Chalice) -> dict[str, EventSourceHandler]:
    """Every non-HTTP entry point of the built app (queues, streams, schedules), by its name.

    Chalice binds the middleware to a blueprint's handler only when the app registers the
    blueprint (chalice issue #1566): these are the handlers Lambda must enter through `app`.
    """
    return {
        name: handler
        for name, handler in app.handler_map.items()
        if isinstance(handler, EventSourceHandler)
    }
