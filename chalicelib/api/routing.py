"""Route registration that documents itself: every route is recorded for the OpenAPI document."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint
from pydantic import BaseModel

from chalicelib.api.problems import problem_route

# A model, or a function returning it where importing the model at startup would be costly:
# every function imports `app`, and most answer no request with the model (lazy_model).
ModelRef = type[BaseModel] | Callable[[], type[BaseModel]]


def lazy_model(dotted: str) -> Callable[[], type[BaseModel]]:
    """The model `module.Name` of chalicelib.models, imported when first asked for (by the
    OpenAPI document, or the route's own first request), not when the route registers."""
    module, name = dotted.rsplit(".", 1)

    def load() -> type[BaseModel]:
        found = getattr(importlib.import_module(f"chalicelib.models.{module}"), name)
        if not (isinstance(found, type) and issubclass(found, BaseModel)):
            raise TypeError(f"chalicelib.models.{dotted} is no pydantic model")
        return found

    return load


def _resolved(ref: ModelRef | None) -> type[BaseModel] | None:
    return ref if ref is None or isinstance(ref, type) else ref()


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    summary: str
    tag: str
    status: int = 200
    request: ModelRef | None = None
    query: ModelRef | None = None
    # The path parameters' model, so that OpenAPI states their patterns and enums.
    path_params: ModelRef | None = None
    # The request headers the route reads, fields aliased to the header names as sent.
    headers: ModelRef | None = None
    response: ModelRef | None = None
    # The success answer's media type (JSON-LD answers are application/ld+json).
    media_type: str = "application/json"
    # "merchant", "merchant_or_customer", "customer", "signature" or None (public)
    auth: str | None = None
    errors: tuple[str, ...] = ()
    extra_statuses: dict[int, str] = field(default_factory=dict)
    # A customer's page: every answer, errors included, is text/html (a form posts urlencoded).
    html: bool = False
    # The JSON schema of the fields a page's form posts (its text values), for OpenAPI.
    form: dict[str, Any] | None = None

    @property
    def request_model(self) -> type[BaseModel] | None:
        return _resolved(self.request)

    @property
    def query_model(self) -> type[BaseModel] | None:
        return _resolved(self.query)

    @property
    def path_params_model(self) -> type[BaseModel] | None:
        return _resolved(self.path_params)

    @property
    def headers_model(self) -> type[BaseModel] | None:
        return _resolved(self.headers)

    @property
    def response_model(self) -> type[BaseModel] | None:
        return _resolved(self.response)


OPERATIONS: list[Operation] = []


def route(bp: Blueprint, op: Operation, **chalice_kwargs: Any) -> Callable[..., Any]:
    """Register a view on `bp`, wrapped in the problem translator, and record `op` for OpenAPI."""
    OPERATIONS.append(op)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = problem_route(lambda: bp.current_request)(view)
        bp.route(op.path, methods=[op.method], **chalice_kwargs)(wrapped)
        return wrapped

    return decorator
