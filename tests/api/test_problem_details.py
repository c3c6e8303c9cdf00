"""Every error leaves as RFC 9457 problem details, through the real HTTP path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import MERCHANT_KEY

JSON = {"Content-Type": "application/json"}


def problem(response: Any) -> dict[str, Any]:
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.body)
    assert body["status"] == response.status_code
    assert body["type"] == "/problems/" + body["code"].replace("_", "-")
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.body.decode()
    return body


def test_schema_violation_is_422_with_field_errors(client: Any) -> None:
    response = client.post("/probe/echo", headers=JSON, body=json.dumps({"rating": 11}))

    assert response.status_code == 422
    body = problem(response)
    assert body["code"] == "validation_error"
    assert body["errors"] == [
        {"loc": ["rating"], "msg": "Input should be less than or equal to 10"}
    ]
    assert body["detail"] == "1 field is invalid"
    assert body["request_id"]


def test_unknown_field_is_422(client: Any) -> None:
    response = client.post("/probe/echo", headers=JSON, body=json.dumps({"rating": 5, "x": 1}))

    assert response.status_code == 422
    assert problem(response)["errors"][0]["loc"] == ["x"]


def test_field_errors_do_not_echo_the_input(client: Any) -> None:
    body = {"rating": 5, "email": ["anna@example.com"]}
    response = client.post("/probe/echo", headers=JSON, body=json.dumps(body))

    assert response.status_code == 422
    assert "anna@example.com" not in response.body.decode()


@pytest.mark.parametrize("raw", [b"{not json", b'{"rating": 5', b"\xff\xfe"])
def test_malformed_json_is_400(client: Any, raw: bytes) -> None:
    response = client.post("/probe/echo", headers=JSON, body=raw)

    assert response.status_code == 400
    assert problem(response)["code"] == "malformed_json"


def test_empty_body_is_422(client: Any) -> None:
    response = client.post("/probe/echo", headers=JSON, body=b"")

    assert response.status_code == 422
    assert problem(response)["errors"] == [{"loc": ["body"], "msg": "Field required"}]


@pytest.mark.parametrize("raw", [b" ", b"\r\n\t ", b"\n"])
@pytest.mark.parametrize("path", ["/probe/echo", "/v1/promise/quote"])
def test_a_body_of_whitespace_only_is_an_empty_body(client: Any, path: str, raw: bytes) -> None:
    # Given a JSON request whose body is only whitespace
    # When it is posted
    response = client.post(path, headers=JSON, body=raw)

    # Then it is answered as a missing body, not as malformed JSON
    assert response.status_code == 422
    assert problem(response)["errors"] == [{"loc": ["body"], "msg": "Field required"}]


def test_missing_merchant_key_is_401(client: Any) -> None:
    response = client.get("/probe/merchant")

    assert response.status_code == 401
    assert problem(response)["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer wrong-key", "wrong-key", f"Basic {MERCHANT_KEY}"])
def test_wrong_merchant_key_is_401(client: Any, header: str) -> None:
    response = client.get("/probe/merchant", headers={"Authorization": header})

    assert response.status_code == 401
    assert problem(response)["code"] == "unauthorized"


def test_right_merchant_key_passes(client: Any) -> None:
    response = client.get("/probe/merchant", headers={"Authorization": f"Bearer {MERCHANT_KEY}"})

    assert response.status_code == 200
    assert json.loads(response.body) == {"ok": True}


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("invalid_signature", 401),
        ("forbidden", 403),
        ("not_found", 404),
        ("conflict", 409),
        ("not_delivered", 409),
        ("already_rated", 409),
        ("return_not_allowed", 409),
    ],
)
def test_domain_errors_map_to_their_problem(client: Any, code: str, status: int) -> None:
    response = client.get(f"/probe/raise/{code}")

    assert response.status_code == status
    body = problem(response)
    assert body["code"] == code
    assert body["detail"] == f"probe {code}"


def test_unknown_path_is_404(client: Any) -> None:
    response = client.get("/v1/no-such-thing")

    assert response.status_code == 404
    assert problem(response)["code"] == "not_found"


def test_wrong_method_is_405_with_allow(client: Any) -> None:
    response = client.delete("/v1/health")

    assert response.status_code == 405
    assert problem(response)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET"


def test_wrong_content_type_is_415(client: Any) -> None:
    response = client.post(
        "/probe/echo", headers={"Content-Type": "text/plain"}, body=b'{"rating": 5}'
    )

    assert response.status_code == 415
    assert problem(response)["code"] == "unsupported_media_type"


def test_body_over_256_kib_is_413(client: Any) -> None:
    big = json.dumps({"rating": 5, "note": "x" * (256 * 1024)}).encode()

    response = client.post("/probe/echo", headers=JSON, body=big)

    assert response.status_code == 413
    assert problem(response)["code"] == "payload_too_large"


def test_body_at_the_limit_is_accepted(client: Any) -> None:
    envelope = json.dumps({"rating": 5, "note": ""}).encode()
    body = json.dumps({"rating": 5, "note": "x" * (256 * 1024 - len(envelope))}).encode()
    assert len(body) == 256 * 1024

    response = client.post("/probe/echo", headers=JSON, body=body)

    assert response.status_code == 200


def test_unexpected_error_is_500_without_internals(client: Any) -> None:
    response = client.get("/probe/raise/bug")

    assert response.status_code == 500
    body = problem(response)
    assert body["code"] == "internal_error"
    assert body["request_id"]
    assert "secret internals" not in response.body.decode()
    assert "RuntimeError" not in response.body.decode()
