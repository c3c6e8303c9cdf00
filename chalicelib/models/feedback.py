"""Public models of post-delivery feedback: the customer's rating and the merchant's figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from chalicelib.domain.feedback.rating import COMMENT_MAX, PRODUCT_COMMENT_MAX
from chalicelib.models.base import ApiModel
from chalicelib.models.orders import Carrier, OrderId
from chalicelib.models.promise import Sku
from chalicelib.models.report_range import ReportRange
from chalicelib.models.types import WholeNumber

# Strict: "7", 7.5 and true are refused rather than coerced into a rating.
# A JSON number without a fraction is an integer (7.0, as JSON Schema says); 7.5, "7" and true
# are not.
Score = Annotated[int, Field(ge=1, le=10, description="1 (worst) to 10 (best)"), WholeNumber]
Tag = Literal["speed", "packaging", "communication", "product", "courier"]


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")


class ProductRatingBody(_Request):
    sku: Sku
    rating: Score
    comment: Annotated[str | None, Field(max_length=PRODUCT_COMMENT_MAX)] = None


class FeedbackRequest(_Request):
    """Body of POST /v1/feedback: the customer's rating of a delivered order."""

    order_id: OrderId
    token: Annotated[
        str | None, Field(max_length=200, description="The order's customer token")
    ] = None
    rating: Score
    comment: Annotated[
        str | None,
        Field(max_length=COMMENT_MAX, description="Free text, stored as text, never as HTML"),
    ] = None
    tags: Annotated[
        list[Tag],
        Field(
            max_length=5,
            description="What the rating is about (each at most once)",
            json_schema_extra={"uniqueItems": True},
        ),
    ] = []
    items: Annotated[
        list[ProductRatingBody],
        Field(max_length=100, description="Optional ratings of delivered items"),
    ] = []

    @model_validator(mode="after")
    def _unique_tags(self) -> FeedbackRequest:
        if len(set(self.tags)) != len(self.tags):
            raise ValueError("each tag at most once")
        return self


class ProductRatingView(ApiModel):
    sku: str
    rating: int
    comment: str | None = None


class FeedbackView(ApiModel):
    """The order's rating as recorded (the answer to POST /v1/feedback)."""

    order_id: str
    rating: int
    comment: str | None = None
    tags: list[str]
    items: list[ProductRatingView]
    rated_at: datetime
    first_rated_at: datetime
    changeable_until: datetime
    previous_ratings: Annotated[int, Field(description="Earlier answers kept in the history")]
    promise: Literal["kept", "broken", "open"]


class RangeQuery(ReportRange):
    """Query of GET /v1/feedback/products: the days it covers, nothing else."""


class SummaryQuery(RangeQuery):
    carrier: Carrier | None = None
    method: Annotated[str | None, Field(pattern=r"^[a-z_]{2,32}$")] = None


class Figures(ApiModel):
    count: int
    mean: float | None
    distribution: Annotated[dict[str, int], Field(description="How many of each rating 1–10")]
    score: Annotated[
        float | None, Field(description="Promoters (9–10) minus detractors (1–6), in %")
    ]


class FeedbackSummary(Figures):
    by_promise: Annotated[dict[str, Figures], Field(description="kept, broken")]
    by_delay_notice: Annotated[
        dict[str, Figures],
        Field(description="announced: a delay notice went out before the promised day passed; "
              "not_announced: the promise broke without one"),
    ]  # fmt: skip
    items_read: Annotated[int, Field(description="Counter items this answer read")]


class ProductFiguresView(ApiModel):
    sku: str
    count: int
    mean: float


class ProductRanking(ApiModel):
    products: Annotated[list[ProductFiguresView], Field(description="Best mean rating first")]
    items_read: int
