"""Orders and shipments: registered by the merchant, read by the merchant or the customer."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.auth import is_merchant, merchant_authorizer
from chalicelib.api.http import json_response, parse_body, parse_query
from chalicelib.api.routing import Operation, lazy_model, route
from chalicelib.domain import errors
from chalicelib.observability import logger, metrics

orders_bp = Blueprint(__name__)


def _order_id(raw: str) -> str:
    from chalicelib.models import orders as api

    return parse_query({"order_id": raw}, api.OrderIdPath).order_id


@route(
    orders_bp,
    Operation(
        "/v1/orders", "POST", "Register an order at checkout", "orders",
        status=201, request=lazy_model("orders.RegisterOrderRequest"),
        response=lazy_model("orders.RegisterOrderResponse"),
        auth="merchant", errors=("conflict",),
        extra_statuses={200: "The same order was registered before with the same body"},
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def register_order() -> Response:
    from chalicelib.models import orders as api

    request = parse_body(orders_bp.current_request, api.RegisterOrderRequest)
    logger.thread_safe_append_keys(order_id=request.order_id)
    answer, created = deps.order_service().register(request)
    if created:
        metrics.add_metric(name="OrdersRegistered", unit="Count", value=1)
    return json_response(answer, status=201 if created else 200)


@route(
    orders_bp,
    Operation(
        "/v1/orders/{order_id}/shipments", "POST", "Add a shipment (split orders have several)",
        "orders", status=201, request=lazy_model("orders.RegisterShipmentRequest"),
        response=lazy_model("orders.ShipmentView"), path_params=lazy_model("orders.OrderIdPath"),
        auth="merchant", errors=("not_found", "conflict"),
        extra_statuses={200: "The same shipment was registered before with the same body"},
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def add_shipment(order_id: str) -> Response:
    from chalicelib.models import orders as api

    order_id = _order_id(order_id)
    logger.thread_safe_append_keys(order_id=order_id)
    request = parse_body(orders_bp.current_request, api.RegisterShipmentRequest)
    view, created = deps.order_service().add_shipment(order_id, request)
    return json_response(view, status=201 if created else 200)


@route(
    orders_bp,
    Operation(
        "/v1/orders/{order_id}/token", "POST",
        "Replace the customer's token: the answer's token opens the order, no earlier one does",
        "orders", status=201, response=lazy_model("orders.CustomerTokenView"),
        path_params=lazy_model("orders.OrderIdPath"), auth="merchant",
        errors=("validation_error", "not_found"),
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def replace_customer_token(order_id: str) -> Response:
    order_id = _order_id(order_id)
    logger.thread_safe_append_keys(order_id=order_id)
    view = deps.order_service().replace_customer_token(order_id)
    metrics.add_metric(name="CustomerTokensReplaced", unit="Count", value=1)
    return json_response(view, status=201, headers={"Cache-Control": "no-store"})


@route(
    orders_bp,
    Operation(
        "/v1/orders/{order_id}", "GET", "Read an order: status, promise, shipments, timeline",
        "orders", query=lazy_model("orders.CustomerTokenQuery"),
        path_params=lazy_model("orders.OrderIdPath"), response=lazy_model("orders.OrderView"),
        auth="merchant_or_customer", errors=("not_found",),
    ),
    cors=True,
)  # fmt: skip
def get_order(order_id: str) -> Response:
    from chalicelib.models import orders as api

    order_id = _order_id(order_id)
    logger.thread_safe_append_keys(order_id=order_id)
    request = orders_bp.current_request
    query = parse_query(dict(request.query_params or {}), api.CustomerTokenQuery)
    authorize_order_access(request.headers.get("authorization"), query.token, order_id)
    view = deps.order_service().read(order_id)
    declared = deps.withdrawal_service().of_order(order_id)
    if declared:
        from chalicelib.services.withdrawal_views import withdrawal_view

        view = view.model_copy(update={"withdrawals": [withdrawal_view(r) for r in declared]})
    return json_response(view, headers={"Cache-Control": "private, no-store"})


def authorize_order_access(authorization: str | None, token: str | None, order_id: str) -> None:
    """The merchant's key reads every order; a customer token only its own, of its current
    generation — its signature checked before any read, so a token for another order learns
    nothing about whether this one exists."""
    if is_merchant(authorization):
        return
    if token is None:
        raise errors.Unauthorized("a merchant key or the order's customer token is required")
    deps.order_service().authorize_customer(order_id, token)
