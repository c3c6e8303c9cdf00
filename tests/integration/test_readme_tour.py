"""The README's five-minute tour, run as a new user runs it: its own bash block, step by step,
against a fresh `make run`, and the answers are the ones its comments promise.

The block is read from README.md itself, so the tour cannot drift from the product. The only
changes are the ones a second stack on this machine needs: the API's port, and `make mail`
reading this stack (it runs the Makefile's own recipe, without make's install check). Between
steps the test waits, as a reader would, for what the event pump delivers a few seconds later.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
LOCAL_API = "API=http://127.0.0.1:8000"
STEP = re.compile(r"^# (\d+)\. ", re.MULTILINE)
WAIT = 120.0  # seconds a step or a wait may take on a loaded machine before the test gives up


def tour() -> tuple[str, dict[int, str]]:
    """The tour's set-up lines and its numbered steps, as the README has them."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## A five-minute tour") :]
    block = section[section.index("```bash\n") + len("```bash\n") :]
    block = block[: block.index("```\n")]
    starts = [m.start() for m in STEP.finditer(block)]
    numbers = [int(m.group(1)) for m in STEP.finditer(block)]
    steps = {
        n: block[a:b] for n, a, b in zip(numbers, starts, [*starts[1:], len(block)], strict=True)
    }
    return block[: starts[0]], steps


def json_values(text: str) -> list[Any]:
    """Every JSON object in a step's output, in order (curl prints no line break after one)."""
    decoder, values, at = json.JSONDecoder(), [], text.find("{")
    while at != -1:
        try:
            value, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            at = text.find("{", at + 1)
            continue
        values.append(value)
        at = text.find("{", end)
    return values


class Shell:
    """One bash shell, fed a step at a time, as a terminal the tour is pasted into."""

    def __init__(self, env: dict[str, str]) -> None:
        self._bash = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._bash.stdout is not None
        for line in self._bash.stdout:
            self._lines.put(line)

    def run(self, text: str) -> str:
        marker = f"-- done {time.monotonic_ns()} --"
        assert self._bash.stdin is not None
        self._bash.stdin.write(f"{text}\nprintf '\\n%s\\n' '{marker}'\n")
        self._bash.stdin.flush()
        seen: list[str] = []
        deadline = time.monotonic() + WAIT
        while (line := self._lines.get(timeout=max(deadline - time.monotonic(), 0.1))) != (
            marker + "\n"
        ):
            seen.append(line)
        return "".join(seen)

    def close(self) -> None:
        assert self._bash.stdin is not None
        self._bash.stdin.close()
        self._bash.wait(timeout=30)


@dataclass
class Stack:
    api: str
    aws: str


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """`make run` on ports of its own, in a shell environment without the tests' variables."""
    api_port, aws_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PK_", "POWERTOOLS_"))},
        "PK_LOCAL_API_PORT": str(api_port),
        "PK_LOCAL_AWS_PORT": str(aws_port),
    }
    log = tmp_path / "stack.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        until(
            lambda: "Ctrl-C stops everything." in log.read_text() or process.poll() is not None,
            "make run's banner",
        )
        assert process.poll() is None, log.read_text()
        yield Stack(f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{aws_port}")
    finally:
        process.terminate()  # SIGTERM: the stack stops as on Ctrl-C
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT:.0f} s for {what}"
        time.sleep(0.25)


def mailbox(stack: Stack) -> list[dict[str, Any]]:
    box = requests.get(f"{stack.aws}/_devstack/mailbox", timeout=10).json()
    emails: list[dict[str, Any]] = box["emails"]
    return emails


def counted(stack: Stack, report: str, day: str) -> bool:
    answer = requests.get(
        f"{stack.api}/v1/{report}?from={day}&to={day}",
        headers={"Authorization": "Bearer dev-merchant-key"},
        timeout=10,
    ).json()
    return bool(answer["count"] == 1)


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("bash", "curl", "openssl")),
    reason="the tour needs bash, curl and openssl",
)
def test_the_readme_tour_works_as_written(stack: Stack) -> None:
    setup, steps = tour()
    assert sorted(steps) == list(range(1, 14)), "a new step needs its promises checked here"
    assert LOCAL_API in setup.splitlines()
    assert (
        "mail: $(STAMP)\n\t$(BIN)/python -m devstack.mailbox\n" in (ROOT / "Makefile").read_text()
    )
    python = Path(sys.executable)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PK_", "POWERTOOLS_"))},
        "PATH": f"{python.parent}{os.pathsep}{os.environ['PATH']}",  # python3: the project's
        "PK_LOCAL_AWS_PORT": stack.aws.rsplit(":", 1)[1],  # `make mail` reads this stack
    }
    shell = Shell(env)
    try:
        shell.run(f'make() {{ [ "$1" = mail ] && "{python}" -m devstack.mailbox; }}')
        shell.run(setup.replace(LOCAL_API, f"API={stack.api}"))
        walk_through(shell, steps, stack)
    finally:
        shell.close()


def walk_through(shell: Shell, steps: dict[int, str], stack: Stack) -> None:
    def step(n: int) -> str:
        out = shell.run(steps[n])
        assert "Traceback" not in out and "command not found" not in out, (n, out)
        return out

    # 1. Is it up?
    assert json_values(step(1)) == [{"status": "ok", "version": "0.1.0"}]
    # 2. The promise for the product page, and its cache lifetime
    out = step(2)
    standard = next(o for o in json_values(out)[0]["options"] if o["method"] == "standard")
    assert standard["delivery"] == {"earliest": "2026-12-24", "latest": "2026-12-28"}
    assert standard["order_by"] == "2026-12-23T17:00:00+01:00"
    assert standard["price"] == {"amount": "4.90", "currency": "EUR"}
    assert re.search(r"Cache-Control: public, max-age=\d+", out)
    # 3. The order, registered with the quoted promise
    (order,) = json_values(step(3))
    assert (order["order_id"], order["status"]) == ("1001", "confirmed")
    assert order["tracking_url"] == f"{stack.api}/v1/pages/orders/1001?token={order['token']}"
    # 4. Its shipment
    (shipment,) = json_values(step(4))
    assert (shipment["status"], shipment["events"]) == ("info_received", [])
    # 5. The same carrier event twice is stored once
    first, again = json_values(step(5))
    assert (first["accepted"], first["duplicates"]) == (1, 0)
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    # 6. Where is my order?
    (status,) = json_values(step(6))
    assert (status["status"], status["promise"]["state"]) == ("shipped", "on_track")
    assert status["shipments"][0]["status"] == "in_transit"
    assert status["shipments"][0]["estimated_delivery"]
    # 7. "A few seconds later": what Anna was told, in German
    until(lambda: len(mailbox(stack)) >= 2, "the confirmation and the shipped e-mail")
    out = step(7)
    assert "to anna@example.com [de]" in out
    assert "Subject: Danke für deine Bestellung 1001" in out
    assert "Subject: Deine Bestellung 1001 ist unterwegs" in out
    # 8. Delivered, and returned by the customer
    delivered, returned = json_values(step(8))
    assert delivered["accepted"] == 1
    assert (returned["status"], returned["resolution"]) == ("requested", "refund")
    # 9. The merchant's steps, and Anna hears of the last two
    assert step(9).split() == ["approved", "label_created", "received", "refunded"]
    until(lambda: len(mailbox(stack)) >= 5, "the delivered, return and refund e-mails")
    subjects = [e["subject"] for e in mailbox(stack)]
    assert "Deine Rücksendung zu Bestellung 1001 ist angekommen" in subjects
    assert "Deine Erstattung zu Bestellung 1001 ist veranlasst" in subjects
    # 10. The rating
    (rating,) = json_values(step(10))
    assert (rating["rating"], rating["promise"]) == (9, "kept")
    # 11. The reports, once the stream has counted (they "lag the writes by seconds")
    day = returned["requested_at"][:10]
    until(lambda: counted(stack, "returns/summary", day), "the return in its report")
    until(lambda: counted(stack, "feedback/summary", day), "the rating in its report")
    returns, feedback = json_values(step(11))
    assert returns["count"] == returns["refunded"] == 1
    assert returns["reasons"] == [{"reason": "too_small", "items": 1}]
    assert (feedback["count"], feedback["mean"], feedback["score"]) == (1, 9.0, 100.0)
    assert feedback["by_promise"]["kept"]["count"] == 1
    # 12. Problem details everywhere
    out = step(12)
    assert "HTTP/1.1 404" in out and "HTTP/1.1 405" in out
    assert "Content-Type: application/problem+json" in out and "Allow: GET" in out
    invalid = json_values(out)[-1]
    assert invalid["status"] == 422
    assert [e["loc"] for e in invalid["errors"]] == [["destination", "postal_code"], ["items"]]
    # 13. A withdrawal, matched to the order, and its acknowledgement
    receipt, listed = json_values(step(13))
    assert set(receipt) == {"withdrawal_id", "received_at"}
    (declared,) = listed["withdrawals"]
    assert declared["withdrawal_id"] == receipt["withdrawal_id"]
    assert (declared["matched"], declared["period"]["state"]) == (True, "within")
    until(
        lambda: any("Widerruf" in e["subject"] for e in mailbox(stack)),
        "the withdrawal's acknowledgement",
    )
