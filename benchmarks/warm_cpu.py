"""CPU time per warm invocation of each function, the figure each function's memory size is chosen
from (docs/deploy.md, "Memory and timeouts"). Lambda gives CPU in proportion to memory (a full
vCPU at 1,769 MB), so a function's duration at M MB is about its CPU time × 1769 / M plus the
time it waits on AWS.

In-process, after one warm-up invocation; the embedded AWS serves from another thread, so only the
calling thread's CPU time (time.thread_time) is counted.

Run alone: python -m benchmarks.warm_cpu
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from benchmarks.cold_start import HANDLERS, Context, _events, provisioned

FULL_VCPU_MB = 1769


def _cpu_ms(handler: Any, events: list[dict[str, Any]]) -> float:
    context = Context()
    start = time.thread_time()
    for event in events:
        handler(event, context)
    return (time.thread_time() - start) / len(events) * 1000


def measure(invocations: int = 30) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with provisioned(orders=invocations + 1) as seeded:
        events = [_events(seeded["outbox_item"], n) for n in range(invocations + 1)]
        for function, (module, name) in HANDLERS.items():
            handler = getattr(importlib.import_module(module), name)
            handler(events[0][function], Context())  # warm: first-use loading is not counted
            cpu = _cpu_ms(handler, [e[function] for e in events[1:]])
            result[f"{function}_cpu_ms"] = round(cpu, 2)
            # What that CPU time stretches to at Lambda's 128 MB default.
            result[f"{function}_at_128mb_ms"] = round(cpu * FULL_VCPU_MB / 128, 1)
    return result


if __name__ == "__main__":
    print(measure())
