"""Withdrawals: the consumer's declaration from a storefront's own two steps (public), and the
merchant's reads and the return a matched declaration becomes."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.auth import merchant_authorizer
from chalicelib.api.http import REPORT_CACHE, json_response, parse_body, parse_query
from chalicelib.api.routing import Operation, lazy_model, route
from chalicelib.domain import errors
from chalicelib.observability import logger, metrics

withdrawals_bp = Blueprint(__name__)
PRIVATE = {"Cache-Control": "private, no-store"}


def count_declared(matched: bool) -> None:
    """One metric per recorded declaration, matched or not (repeats are not counted)."""
    metrics.add_metric(name="WithdrawalsReceived", unit="Count", value=1)
    if not matched:
        metrics.add_metric(name="WithdrawalsUnmatched", unit="Count", value=1)


@route(
    withdrawals_bp,
    Operation(
        "/v1/withdrawals", "POST",
        "Declare a withdrawal (public, after the storefront's own confirmation step): the same "
        "answer whether or not the order matches; idempotent with an Idempotency-Key header",
        "withdrawals", status=201, request=lazy_model("withdrawals.WithdrawalRequest"),
        response=lazy_model("withdrawals.WithdrawalReceipt"),
        headers=lazy_model("withdrawals.WithdrawalIdempotencyHeader"),
        errors=("conflict", "service_unavailable"),
        extra_statuses={200: "The same declaration (or Idempotency-Key and body) was recorded "
                        "before"},
    ),
    cors=True,
)  # fmt: skip
def declare_withdrawal() -> Response:
    from chalicelib.models import withdrawals as api
    from chalicelib.services.withdrawal_views import body_hash, declaration_of, receipt

    request = withdrawals_bp.current_request
    raw_key = request.headers.get("idempotency-key")
    key = parse_query(
        {"Idempotency-Key": raw_key} if raw_key is not None else {}, api.WithdrawalIdempotencyHeader
    ).key
    body = parse_body(request, api.WithdrawalRequest)
    declared = deps.withdrawal_service().declare(declaration_of(body), key, body_hash(body))
    logger.thread_safe_append_keys(withdrawal_id=declared.record.withdrawal_id)
    if declared.created:
        count_declared(declared.record.matched)
    return json_response(
        receipt(declared.record), status=201 if declared.created else 200, headers=PRIVATE
    )


@route(
    withdrawals_bp,
    Operation(
        "/v1/withdrawals", "GET",
        "Declarations received on the days from–to (UTC), matched and unmatched, oldest first",
        "withdrawals", query=lazy_model("withdrawals.WithdrawalListQuery"),
        response=lazy_model("withdrawals.WithdrawalList"), auth="merchant",
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def list_withdrawals() -> Response:
    from chalicelib.models import withdrawals as api
    from chalicelib.services.withdrawal_views import withdrawal_list

    query = parse_query(
        dict(withdrawals_bp.current_request.query_params or {}), api.WithdrawalListQuery
    )
    found = deps.withdrawal_service().received_between(query.from_, query.to, query.matched)
    return json_response(withdrawal_list(found), headers=REPORT_CACHE)


def _withdrawal_id(raw: str) -> str:
    from chalicelib.models import withdrawals as api

    try:
        withdrawal_id = api.WithdrawalIdPath.model_validate({"withdrawal_id": raw}).withdrawal_id
    except ValueError as exc:
        raise errors.NotFound("no such withdrawal") from exc
    logger.thread_safe_append_keys(withdrawal_id=withdrawal_id)
    return withdrawal_id


@route(
    withdrawals_bp,
    Operation(
        "/v1/withdrawals/{withdrawal_id}", "GET", "Read a declaration of withdrawal",
        "withdrawals", response=lazy_model("withdrawals.WithdrawalView"), auth="merchant",
        path_params=lazy_model("withdrawals.WithdrawalIdPath"), errors=("not_found",),
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def get_withdrawal(withdrawal_id: str) -> Response:
    from chalicelib.services.withdrawal_views import withdrawal_view

    record = deps.withdrawal_service().read(_withdrawal_id(withdrawal_id))
    return json_response(withdrawal_view(record), headers=PRIVATE)


@route(
    withdrawals_bp,
    Operation(
        "/v1/withdrawals/{withdrawal_id}/return", "POST",
        "Open the return of a matched declaration's items (reason withdrawal, resolution "
        "refund), not limited by the return window; once: a repeat answers the same return",
        "withdrawals", status=201, response=lazy_model("returns.ReturnView"), auth="merchant",
        path_params=lazy_model("withdrawals.WithdrawalIdPath"),
        errors=("not_found", "return_not_allowed", "conflict"),
        extra_statuses={200: "The return was opened before"},
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def withdrawal_return(withdrawal_id: str) -> Response:
    from chalicelib.services.returns import return_view

    opened, created = deps.withdrawal_service().open_return(_withdrawal_id(withdrawal_id))
    logger.thread_safe_append_keys(order_id=opened.order_id)
    if created:
        metrics.add_metric(name="ReturnsRequested", unit="Count", value=1)
    return json_response(return_view(opened), status=201 if created else 200)
