"""The local server refuses what API Gateway refuses with problem details too, never HTML.

Over-long URLs and headers never reach a route: http.server refuses them itself (414, 431), as
it refuses methods it has no handler for. In the cloud, API Gateway's gateway responses shape
such refusals; locally the same definitions do.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
import requests

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"


def raw_request(api: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (requests refuses some of what a hostile client sends)."""
    url = urlsplit(api)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("status", "request_bytes"),
    [
        (414, b"GET /v1/health?q=" + b"x" * 70_000 + b" HTTP/1.1\r\nHost: a\r\n\r\n"),
        (431, b"GET /v1/health HTTP/1.1\r\nHost: a\r\nX-Big: " + b"y" * 70_000 + b"\r\n\r\n"),
        (431, b"GET /v1/health HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(120))
         + b"\r\n"),
    ],
    ids=["url-too-long", "header-too-long", "too-many-headers"],
)  # fmt: skip
def test_what_the_server_refuses_itself_is_a_problem(
    api: str, status: int, request_bytes: bytes
) -> None:
    answered, headers, body = raw_request(api, request_bytes)

    assert answered == status
    assert headers["content-type"] == PROBLEM
    problem = json.loads(body)
    assert problem["code"] == "bad_request"
    assert problem["detail"]
    assert problem["request_id"] == headers["x-amzn-requestid"]
    assert b"<html" not in body.lower() and b"Traceback" not in body
    # The server is still there for the next client.
    assert requests.get(f"{api}/v1/health", timeout=10).status_code == 200


def test_an_unknown_method_on_a_known_path_is_405_with_allow(api: str) -> None:
    response = requests.request("PROPFIND", f"{api}/v1/health", timeout=10)

    assert response.status_code == 405
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_an_unknown_method_on_an_unknown_path_is_404(api: str) -> None:
    response = requests.request("BREW", f"{api}/v1/coffee", timeout=10)

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"
