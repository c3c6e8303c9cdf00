"""Health and the OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

from openapi_spec_validator import validate

from chalicelib.api.problems import PROBLEM_TYPES


def test_health_answers_ok_with_the_version(client: Any) -> None:
    response = client.get("/v1/health")

    assert response.status_code == 200
    assert json.loads(response.body) == {"status": "ok", "version": "0.1.0"}


def test_health_touches_no_dependency(client: Any, monkeypatch: Any) -> None:
    # With the AWS endpoint pointing nowhere, a dependency call would fail the request.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")

    assert client.get("/v1/health").status_code == 200


def test_openapi_document_is_valid_openapi_3_1(client: Any) -> None:
    response = client.get("/v1/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.body)
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert "/v1/health" in document["paths"]
    assert "Problem" in document["components"]["schemas"]


def test_openapi_documents_every_problem_type(client: Any) -> None:
    document = json.loads(client.get("/v1/openapi.json").body)

    for code in PROBLEM_TYPES:
        assert f"/problems/{code.replace('_', '-')}" in document["info"]["description"]


def test_openapi_describes_request_bodies_from_the_models(client: Any) -> None:
    document = json.loads(client.get("/v1/openapi.json").body)

    echo = document["paths"]["/probe/echo"]["post"]
    schema_ref = echo["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
    assert schema["properties"]["rating"]["maximum"] == 10
    assert "`validation_error`" in echo["responses"]["422"]["description"]
    assert "`malformed_json`" in echo["responses"]["400"]["description"]
    merchant = document["paths"]["/probe/merchant"]["get"]
    assert merchant["security"] == [{"merchantKey": []}]
    assert "401" in merchant["responses"]


def test_openapi_states_the_idempotency_key_header_as_the_route_checks_it(client: Any) -> None:
    # Given the served document
    document = json.loads(client.get("/v1/openapi.json").body)
    validate(document)

    # When a client reads the return request's parameters
    operation = document["paths"]["/v1/orders/{order_id}/returns"]["post"]
    headers = [p for p in operation["parameters"] if p["in"] == "header"]

    # Then the header is there, optional, with the pattern and length the route enforces
    assert [(h["name"], h["required"]) for h in headers] == [("Idempotency-Key", False)]
    schema = headers[0]["schema"]
    assert (schema["type"], schema["minLength"], schema["maxLength"]) == ("string", 1, 100)
    assert schema["pattern"] == "^[A-Za-z0-9._:-]{1,100}$"
    assert "retry" in headers[0]["description"]
    assert "`validation_error`" in operation["responses"]["422"]["description"]
