"""Liveness: answers without touching any dependency."""

from __future__ import annotations

from typing import Annotated

from chalice import Blueprint
from chalice.app import Response
from pydantic import Field

from chalicelib.api.http import json_response
from chalicelib.api.routing import Operation, route
from chalicelib.models.base import ApiModel
from chalicelib.settings import get_settings

health_bp = Blueprint(__name__)


class Health(ApiModel):
    status: Annotated[str, Field(description="Always `ok` when the function runs")]
    version: Annotated[str, Field(description="Deployed version of Promise Keeper")]


@route(
    health_bp,
    Operation("/v1/health", "GET", "Liveness check", "meta", response=Health),
    cors=True,
)
def health() -> Response:
    return json_response(Health(status="ok", version=get_settings().version))
