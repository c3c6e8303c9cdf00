"""Routes register without importing their models; the OpenAPI document resolves them."""

from __future__ import annotations

import pytest

from chalicelib.api.routing import OPERATIONS, Operation, lazy_model
from chalicelib.models.orders import OrderIdPath


def test_a_lazy_model_is_the_class_it_names() -> None:
    # Given an operation whose path model is named rather than imported
    op = Operation(
        "/v1/x/{order_id}", "GET", "x", "t", path_params=lazy_model("orders.OrderIdPath")
    )

    # Then it resolves to the model itself
    assert op.path_params_model is OrderIdPath


def test_a_lazy_reference_to_something_else_than_a_model_is_refused() -> None:
    with pytest.raises(TypeError, match="no pydantic model"):
        lazy_model("orders.date")()  # a name the module holds, but no model


def test_every_registered_route_names_models_that_exist() -> None:
    import chalicelib.api.blueprints  # noqa: F401  (every route module, each recording its routes)

    assert len(OPERATIONS) >= 18
    for op in OPERATIONS:
        for model in (
            op.request_model,
            op.query_model,
            op.path_params_model,
            op.headers_model,
            op.response_model,
        ):
            assert model is None or hasattr(model, "model_fields"), op.path
