"""API Gateway's own answers, as infra/ defines them and the local stack renders them.

A problem's `status` repeats the HTTP status (RFC 9457). A gateway response template can only
substitute variables, and none of them holds the status: a template states it where the response
fixes its status code. DEFAULT_4XX passes on the status of whichever refusal it shapes (401, 403,
414, 431, ...), so it cannot; DEFAULT_5XX fixes 500 and says so.
"""

from __future__ import annotations

import json

import pytest
from chalice.local import LocalGatewayException

from devstack.gateway import render, render_refusal
from devstack.resources import gateway_responses

FIXED = sorted(t for t, r in gateway_responses().items() if r["status"])


@pytest.mark.parametrize("response_type", FIXED)
def test_every_answer_with_a_fixed_status_states_it_in_its_body(response_type: str) -> None:
    response = gateway_responses()[response_type]

    body = json.loads(
        response["template"]
        .replace("$context.error.messageString", json.dumps("refused"))
        .replace("$context.requestId", "req-1")
    )

    assert body["status"] == response["status"]


def test_the_default_5xx_answer_is_a_500_that_says_so() -> None:
    # Given an error of API Gateway itself that no typed gateway response covers
    exc = LocalGatewayException({"x-amzn-RequestId": "req-5"}, b"")

    # When the local gateway renders it
    status, headers, body = render(exc)

    # Then it is the problem a deployed gateway answers, status included
    problem = json.loads(body)
    assert (status, problem["status"], problem["code"]) == (500, 500, "internal_error")
    assert (headers["Content-Type"], problem["request_id"]) == ("application/problem+json", "req-5")


def test_a_refusal_of_the_server_beyond_4xx_answers_the_status_its_body_states() -> None:
    status, _, body = render_refusal(505, "HTTP Version Not Supported")

    assert status == json.loads(body)["status"] == 500


def test_a_4xx_refusal_keeps_its_own_status() -> None:
    status, _, body = render_refusal(431, "Request Header Fields Too Large")

    problem = json.loads(body)
    assert (status, problem["code"], problem["detail"]) == (
        431, "bad_request", "Request Header Fields Too Large"
    )  # fmt: skip
