"""`make run` as a newcomer meets it: one command brings the stack up, Ctrl-C stops all of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from devstack import registry
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_local_stack_serves_the_api_and_stops_cleanly_on_ctrl_c() -> None:
    api_port, aws_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PK_"))},
        "PK_LOCAL_API_PORT": str(api_port),
        "PK_LOCAL_AWS_PORT": str(aws_port),
    }
    stack = subprocess.Popen(
        [sys.executable, "-m", "devstack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = _read_until(stack, "Ctrl-C stops everything.", timeout=60)
        assert f"http://127.0.0.1:{api_port}" in banner
        assert "dev-merchant-key" in banner

        health = requests.get(f"http://127.0.0.1:{api_port}/v1/health", timeout=5)
        unknown = requests.get(f"http://127.0.0.1:{api_port}/v1/nope", timeout=5)
        tables = requests.post(
            f"http://127.0.0.1:{aws_port}/",
            headers={
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "Content-Type": "application/x-amz-json-1.0",
                "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261124/eu-central-1/"
                "dynamodb/aws4_request, SignedHeaders=host, Signature=x",
            },
            data="{}",
            timeout=5,
        ).json()

        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert unknown.status_code == 404
        assert unknown.headers["Content-Type"] == "application/problem+json"
        assert "promise-keeper" in tables["TableNames"]
        # `make mail` finds it on its own ports.
        assert (stack.pid, aws_port) in {(s.pid, s.aws_port) for s in registry.running()}
    finally:
        stack.send_signal(signal.SIGINT)
        output, _ = stack.communicate(timeout=30)

    assert stack.returncode == 0
    assert "Stopped." in output
    assert "Traceback" not in output
    assert stack.pid not in {s.pid for s in registry.running()}


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError("stack did not come up:\n" + "".join(seen))
