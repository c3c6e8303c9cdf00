"""Promise accuracy: how well the shop's delivery promises were kept (merchant)."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.auth import merchant_authorizer
from chalicelib.api.http import json_response, parse_query
from chalicelib.api.routing import Operation, route
from chalicelib.models.accuracy import AccuracyQuery, AccuracyReport

accuracy_bp = Blueprint(__name__)


@route(
    accuracy_bp,
    Operation(
        "/v1/promise/accuracy", "GET",
        "Share of parcels delivered within the promised window, per lane", "promise",
        query=AccuracyQuery, response=AccuracyReport, auth="merchant",
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def accuracy_report() -> Response:
    params = dict(accuracy_bp.current_request.query_params or {})
    query = parse_query(params, AccuracyQuery)
    return json_response(deps.accuracy_service().report(query))
