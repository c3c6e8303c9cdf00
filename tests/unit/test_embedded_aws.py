"""The embedded AWS applies one request at a time, as DynamoDB applies a transaction atomically."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from devstack.embedded_aws import AtomicRequests


def test_requests_never_overlap_inside_the_emulator() -> None:
    inside = 0
    most = 0
    guard = threading.Lock()

    def slow_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.01)
        with guard:
            inside -= 1
        return [b"ok"]

    app = AtomicRequests(slow_app)
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(lambda _: app({}, lambda *a: None), range(16)))

    assert bodies == [[b"ok"]] * 16
    assert most == 1
