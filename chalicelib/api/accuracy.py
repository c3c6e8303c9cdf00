"""Promise accuracy: how well the shop's delivery promises were kept (merchant)."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.auth import merchant_authorizer
from chalicelib.api.http import json_response, parse_query
from chalicelib.api.routing import Operation, lazy_model, route

accuracy_bp = Blueprint(__name__)


@route(
    accuracy_bp,
    Operation(
        "/v1/promise/accuracy", "GET",
        "Share of parcels delivered within the promised window, per lane", "promise",
        query=lazy_model("accuracy.AccuracyQuery"), response=lazy_model("accuracy.AccuracyReport"),
        auth="merchant",
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def accuracy_report() -> Response:
    from chalicelib.models.accuracy import AccuracyQuery

    params = dict(accuracy_bp.current_request.query_params or {})
    query = parse_query(params, AccuracyQuery)
    return json_response(deps.accuracy_service().report(query))
