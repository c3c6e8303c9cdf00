"""Cold-start cost of the app: importing `app` against importing boto3 alone.

Each sample is a fresh interpreter that times only its own import (interpreter start-up excluded).
Samples of the two imports alternate so that machine noise hits both alike; medians are compared.
Both read bytecode from a private cache that the first, discarded, pair fills, whatever the
caller's PYTHONDONTWRITEBYTECODE (benchmarks/cold_start.py). Target: import app ≤ 1.5 × import
boto3.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import bytecode_environment

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def _sample(module: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(rounds: int = 15) -> dict[str, float]:
    app_times, boto3_times = [], []
    with tempfile.TemporaryDirectory() as cache:
        env = bytecode_environment(cache, write=True)
        _sample("app", env), _sample("boto3", env)  # fill the bytecode cache
        for _ in range(rounds):
            app_times.append(_sample("app", env))
            boto3_times.append(_sample("boto3", env))
    app_ms = statistics.median(app_times) * 1000
    boto3_ms = statistics.median(boto3_times) * 1000
    return {
        "import_app_ms": round(app_ms, 1),
        "import_boto3_ms": round(boto3_ms, 1),
        "ratio": round(app_ms / boto3_ms, 2),
        "target_ratio": TARGET_RATIO,
    }


if __name__ == "__main__":
    result = measure()
    print(result)
    sys.exit(0 if result["ratio"] <= TARGET_RATIO else 1)
