"""Feedback: the customer rates a delivered order; the merchant reads figures from counters."""

from __future__ import annotations

from chalice import Blueprint
from chalice.app import Response

from chalicelib import deps
from chalicelib.api.auth import merchant_authorizer
from chalicelib.api.http import REPORT_CACHE, json_response, parse_body, parse_query
from chalicelib.api.routing import Operation, lazy_model, route
from chalicelib.observability import logger, metrics

feedback_bp = Blueprint(__name__)


@route(
    feedback_bp,
    Operation(
        "/v1/feedback", "POST", "Rate a delivered order 1–10 (changeable for 14 days)",
        "feedback", status=201, request=lazy_model("feedback.FeedbackRequest"),
        response=lazy_model("feedback.FeedbackView"),
        errors=("unauthorized", "forbidden", "not_found", "not_delivered", "already_rated",
                "conflict"),
        extra_statuses={200: "The customer changed the rating (the earlier one is kept)"},
    ),
    cors=True,
)  # fmt: skip
def rate_order() -> Response:
    from chalicelib.models import feedback as api

    request = parse_body(feedback_bp.current_request, api.FeedbackRequest)
    logger.thread_safe_append_keys(order_id=request.order_id)
    recorded = deps.feedback_service().record(request)
    record_metrics(request.rating)
    return json_response(recorded.view, status=201 if recorded.created else 200)


def record_metrics(rating: int) -> None:
    from chalicelib.domain.feedback.rating import LOW_RATING

    metrics.add_metric(name="RatingReceived", unit="Count", value=1)
    # The value itself, without a dimension per score: CloudWatch gives mean and percentiles.
    metrics.add_metric(name="Rating", unit="None", value=rating)
    if rating <= LOW_RATING:
        metrics.add_metric(name="LowRating", unit="Count", value=1)


@route(
    feedback_bp,
    Operation(
        "/v1/feedback/summary", "GET", "Ratings in a date range: mean, distribution, score, splits",
        "feedback", query=lazy_model("feedback.SummaryQuery"),
        response=lazy_model("feedback.FeedbackSummary"), auth="merchant",
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def feedback_summary() -> Response:
    from chalicelib.models import feedback as api

    query = parse_query(dict(feedback_bp.current_request.query_params or {}), api.SummaryQuery)
    answer = deps.feedback_service().summary(query)
    return json_response(answer, headers=REPORT_CACHE, keep_nulls=True)


@route(
    feedback_bp,
    Operation(
        "/v1/feedback/products", "GET", "Products by mean rating and count in a date range",
        "feedback", query=lazy_model("feedback.RangeQuery"),
        response=lazy_model("feedback.ProductRanking"), auth="merchant",
    ),
    authorizer=merchant_authorizer,
)  # fmt: skip
def product_ranking() -> Response:
    from chalicelib.models import feedback as api

    query = parse_query(dict(feedback_bp.current_request.query_params or {}), api.RangeQuery)
    answer = deps.feedback_service().product_ranking(query)
    return json_response(answer, headers=REPORT_CACHE)
