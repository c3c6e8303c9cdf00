"""Returns: requested by the merchant or the customer, moved by the merchant and the return
parcel's carrier, read with their history; figures for the merchant."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.auth import is_merchant, merchant_authorizer
from chalicelib.api.http import REPORT_CACHE, json_response, parse_body, parse_query
from chalicelib.api.orders import authorize_order_access
from chalicelib.api.routing import Operation, lazy_model, route
from chalicelib.domain import errors
from chalicelib.observability import logger, metrics

returns_bp = Blueprint(__name__)


def _idempotency_key(raw: str | None) -> str | None:
    from chalicelib.models import returns as api

    try:
        sent = {"Idempotency-Key": raw} if raw is not None else {}
        return parse_query(sent, api.IdempotencyHeader).key
    except errors.InvalidInput as exc:
        raise errors.InvalidInput(
            "the Idempotency-Key header is invalid",
            [{"loc": ["header", "Idempotency-Key"], "msg": e["msg"]} for e in exc.errors],
        ) from exc


@route(
    returns_bp,
    Operation(
        "/v1/orders/{order_id}/returns", "POST",
        "Request a return (the merchant's key, or the customer's token in the body); "
        "idempotent with an Idempotency-Key header",
        "returns", status=201, request=lazy_model("returns.ReturnRequest"),
        response=lazy_model("returns.ReturnView"),
        auth="merchant_or_customer", errors=("not_found", "conflict", "return_not_allowed"),
        headers=lazy_model("returns.IdempotencyHeader"),
        path_params=lazy_model("orders.OrderIdPath"),
        extra_statuses={200: "The same Idempotency-Key was used before with the same body"},
    ),
    cors=True,
)  # fmt: skip
def request_return(order_id: str) -> Response:
    from chalicelib.models import returns as api
    from chalicelib.models.orders import OrderIdPath

    order_id = parse_query({"order_id": order_id}, OrderIdPath).order_id
    logger.thread_safe_append_keys(order_id=order_id)
    request = returns_bp.current_request
    key = _idempotency_key(request.headers.get("idempotency-key"))
    body = parse_body(request, api.ReturnRequest)
    authorize_order_access(request.headers.get("authorization"), body.token, order_id)
    view, created = deps.return_service().request(order_id, body, key)
    if created:
        metrics.add_metric(name="ReturnsRequested", unit="Count", value=1)
    return json_response(view, status=201 if created else 200)


@route(
    returns_bp,
    Operation(
        "/v1/returns/summary", "GET",
        "Return figures of a period: count, rate per order, reasons ranked, median days to refund",
        "returns", query=lazy_model("returns.SummaryQuery"),
        response=lazy_model("returns.ReturnsSummaryView"), auth="merchant",
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def returns_summary() -> Response:
    from chalicelib.models import returns as api

    request = returns_bp.current_request
    query = parse_query(dict(request.query_params or {}), api.SummaryQuery)
    read = deps.return_service().summary(query.from_, query.to)
    return json_response(read.summary, headers=REPORT_CACHE, keep_nulls=True)


@route(
    returns_bp,
    Operation(
        "/v1/returns/{return_id}", "GET", "Read a return with its status history", "returns",
        query=lazy_model("orders.CustomerTokenQuery"), response=lazy_model("returns.ReturnView"),
        auth="merchant_or_customer", path_params=lazy_model("returns.ReturnIdPath"),
        errors=("not_found",),
    ),
    cors=True,
)  # fmt: skip
def get_return(return_id: str) -> Response:
    from chalicelib.models import returns as api
    from chalicelib.models.orders import CustomerTokenQuery

    return_id = parse_query({"return_id": return_id}, api.ReturnIdPath).return_id
    request = returns_bp.current_request
    query = parse_query(dict(request.query_params or {}), CustomerTokenQuery)
    authorization = request.headers.get("authorization")
    token = query.token
    if is_merchant(authorization):
        view = deps.return_service().read(return_id)
    elif token is None:
        raise errors.Unauthorized("a merchant key or the order's customer token is required")
    else:
        view = deps.return_service().read_as_customer(
            return_id, lambda order_id: authorize_order_access(None, token, order_id)
        )
    logger.thread_safe_append_keys(order_id=view.order_id)
    return json_response(view, headers={"Cache-Control": "private, no-store"})


@route(
    returns_bp,
    Operation(
        "/v1/returns/{return_id}/events", "POST",
        "Move a return (approved, label_created, in_transit, received, refunded, exchanged, "
        "rejected); the status it already has is answered 200 unchanged",
        "returns", request=lazy_model("returns.ReturnEventRequest"),
        response=lazy_model("returns.ReturnView"), auth="merchant",
        path_params=lazy_model("returns.ReturnIdPath"),
        errors=("not_found", "conflict", "illegal_transition"),
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def return_event(return_id: str) -> Response:
    from chalicelib.models import returns as api

    return_id = parse_query({"return_id": return_id}, api.ReturnIdPath).return_id
    body = parse_body(returns_bp.current_request, api.ReturnEventRequest)
    view, changed = deps.return_service().record_step(return_id, body)
    logger.thread_safe_append_keys(order_id=view.order_id)
    if changed:
        metrics.add_metric(name="ReturnSteps", unit="Count", value=1)
    return json_response(view)
