"""OpenAPI 3.1 document built from the recorded operations and their pydantic models."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from chalice import Blueprint
from chalice.app import Response
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api.http import FORM, json_response
from chalicelib.api.problems import PROBLEM_JSON, PROBLEM_TYPES, problem_type_uri
from chalicelib.api.routing import OPERATIONS, Operation, route
from chalicelib.models.problem import Problem
from chalicelib.settings import get_settings

openapi_bp = Blueprint(__name__)
REF = "#/components/schemas/{model}"
SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "merchant": [{"merchantKey": []}],
    "merchant_or_customer": [{"merchantKey": []}, {"customerToken": []}],
    "customer": [{"customerToken": []}],
    "signature": [{"webhookSignature": []}],
}
# Any route may meet a passing AWS failure (throttling, an outage): 429 or 503 with Retry-After.
COMMON_ERRORS = ("too_many_requests", "service_unavailable", "internal_error")
HTML = "text/html"
HTML_SCHEMA = {"schema": {"type": "string"}}
BODY_ERRORS = ("validation_error", "malformed_json", "payload_too_large", "unsupported_media_type")
# A page's form: the edge refuses other content types and oversized bodies as problems.
FORM_ERRORS = ("payload_too_large", "unsupported_media_type")
AUTH_ERRORS = {
    "merchant": ("unauthorized",),
    "merchant_or_customer": ("unauthorized", "forbidden"),
    "customer": ("unauthorized", "forbidden"),
    "signature": ("invalid_signature",),
}


def _schema_ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _parameters(model: type[BaseModel], where: Literal["query", "header"]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": where,
            "required": name in required,
            "description": prop.get("description", ""),
            "schema": _present_value(prop),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _present_value(prop: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema: an optional one is absent rather than null, so its value's schema
    is the non-null branch (a query string or header cannot carry a JSON null)."""
    schema = {k: v for k, v in prop.items() if k != "description"}
    if schema.get("default", "") is None:
        del schema["default"]
    branches = [b for b in schema.pop("anyOf", []) if b != {"type": "null"}]
    if len(branches) == 1:
        return {**schema, **branches[0]}
    return {**schema, "anyOf": branches} if branches else schema


def _path_parameters(path: str, model: type[BaseModel] | None) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    properties = model.model_json_schema(ref_template=REF)["properties"] if model else {}
    return [
        {
            "name": n,
            "in": "path",
            "required": True,
            "schema": {
                k: v for k, v in properties.get(n, {"type": "string"}).items() if k != "description"
            },
        }
        for n in names
    ]


def _error_responses(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problem = {PROBLEM_JSON: {"schema": _schema_ref(Problem)}}
    implied = (
        *(BODY_ERRORS if op.request else ()),
        *(FORM_ERRORS if op.html and op.method == "POST" else ()),
        *(("validation_error",) if op.query or op.headers else ()),
        *AUTH_ERRORS.get(op.auth or "", ()),
    )
    for code in dict.fromkeys((*implied, *op.errors, *COMMON_ERRORS)):
        status = str(PROBLEM_TYPES[code].status)
        # A page answers its own refusals as pages; what the edge refuses stays a problem.
        page = op.html and code in (*op.errors, *AUTH_ERRORS.get(op.auth or "", ()))
        entry = out.setdefault(
            status, {"description": "", "content": {HTML: HTML_SCHEMA} if page else problem}
        )
        entry["description"] = ", ".join(filter(None, [entry["description"], f"`{code}`"]))
    return out


def _operation(op: Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {"summary": op.summary, "tags": [op.tag], "operationId": _op_id(op)}
    params = [
        *_path_parameters(op.path, op.path_params_model),
        *(_parameters(query, "query") if (query := op.query_model) else []),
        *(_parameters(headers, "header") if (headers := op.headers_model) else []),
    ]
    if params:
        doc["parameters"] = params
    request = op.request_model
    if request:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_ref(request)}},
        }
    if op.html and op.method == "POST":
        form = op.form or {"type": "object"}
        doc["requestBody"] = {"required": True, "content": {FORM: {"schema": form}}}
    ok: dict[str, Any] = {"description": "Success"}
    if response := op.response_model:
        ok["content"] = {op.media_type: {"schema": _schema_ref(response)}}
    if op.html:
        ok["content"] = {HTML: HTML_SCHEMA}
    doc["responses"] = {str(op.status): ok, **_extra(op), **_error_responses(op)}
    if op.auth:
        doc["security"] = SECURITY[op.auth]
    return doc


def _extra(op: Operation) -> dict[str, Any]:
    content = {"content": {HTML: HTML_SCHEMA}} if op.html else {}
    return {
        str(status): {"description": text, **content} for status, text in op.extra_statuses.items()
    }


def _op_id(op: Operation) -> str:
    parts = [p.strip("{}").replace("-", "_") for p in op.path.split("/")[2:] if p]
    return "_".join([op.method.lower(), *parts])


@cache
def build_document() -> dict[str, Any]:
    Mode = Literal["validation", "serialization"]
    models: list[tuple[type[BaseModel], Mode]] = [(Problem, "serialization")]
    for op in OPERATIONS:
        models += [(m, "validation") for m in (op.request_model,) if m]
        models += [(m, "serialization") for m in (op.response_model,) if m]
    unique = list(dict.fromkeys(models))
    _, schemas = models_json_schema(unique, ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Promise Keeper",
            "version": get_settings().version,
            "description": "Delivery promise, order tracking, returns and feedback for online "
            "shops. Errors are RFC 9457 problem details; problem types: "
            + ", ".join(f"`{problem_type_uri(c)}`" for c in PROBLEM_TYPES),
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "merchantKey": {"type": "http", "scheme": "bearer"},
                "customerToken": {"type": "apiKey", "in": "query", "name": "token"},
                "webhookSignature": {"type": "apiKey", "in": "header", "name": "X-Signature"},
            },
        },
    }


@route(
    openapi_bp,
    Operation("/v1/openapi.json", "GET", "This OpenAPI 3.1 document", "meta"),
    cors=True,
)
def openapi_document() -> Response:
    return json_response(build_document(), headers={"Cache-Control": "public, max-age=300"})
