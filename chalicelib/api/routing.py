"""Route registration that documents itself: every route is recorded for the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint
from pydantic import BaseModel

from chalicelib.api.problems import problem_route


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    summary: str
    tag: str
    status: int = 200
    # A model, or a function returning it where importing the model at startup would be costly.
    request: type[BaseModel] | Callable[[], type[BaseModel]] | None = None
    query: type[BaseModel] | None = None
    # The path parameters' model, so that OpenAPI states their patterns and enums.
    path_params: type[BaseModel] | None = None
    # The request headers the route reads, fields aliased to the header names as sent.
    headers: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    # "merchant", "merchant_or_customer", "customer", "signature" or None (public)
    auth: str | None = None
    errors: tuple[str, ...] = ()
    extra_statuses: dict[int, str] = field(default_factory=dict)
    # A customer's page: every answer, errors included, is text/html (a form posts urlencoded).
    html: bool = False

    @property
    def request_model(self) -> type[BaseModel] | None:
        if self.request is None or isinstance(self.request, type):
            return self.request
        return self.request()


OPERATIONS: list[Operation] = []


def route(bp: Blueprint, op: Operation, **chalice_kwargs: Any) -> Callable[..., Any]:
    """Register a view on `bp`, wrapped in the problem translator, and record `op` for OpenAPI."""
    OPERATIONS.append(op)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = problem_route(lambda: bp.current_request)(view)
        bp.route(op.path, methods=[op.method], **chalice_kwargs)(wrapped)
        return wrapped

    return decorator
