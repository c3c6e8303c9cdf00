"""`make load`: a storefront's load on the local stack, with Locust, bounded, on the loopback
address only; then the outcome checks, and the figures and latency plot in docs/performance.md.

1. Starts the local stack (`python -m devstack`, as `make run` does) on free ports of 127.0.0.1.
2. Runs Locust headless with benchmarks/load/locustfile.py: USERS users for SECONDS seconds.
3. Waits until the event pump has sent what the orders caused (bounded), then checks: no order
   lost an event it was sent (every accepted carrier event is on the order), every order got
   exactly one confirmation, no answer was a 5xx.
4. Writes docs/figures/load.json, docs/figures/load-latency.png and the section of
   docs/performance.md between its "generated" markers; stops the stack.

    python -m benchmarks.storefront_load [--users 8] [--seconds 60]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.lifecycle_cost import replace_generated

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # never another address: the load goes to this machine's own stack
FIGURES = ROOT / "docs" / "figures" / "load.json"
PLOT = ROOT / "docs" / "figures" / "load-latency.png"
PERFORMANCE = ROOT / "docs" / "performance.md"
# Outside the package on purpose: `make bench` imports every module of benchmarks/, and
# importing Locust patches the whole process for gevent.
LOCUSTFILE = ROOT / "benchmarks" / "load" / "locustfile.py"
SECTION = "load test"
SOURCE = "benchmarks/storefront_load.py"
KEY, SECRET = "load-merchant-key", "load-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def start_stack(api_port: int, aws_port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PK_LOCAL_API_PORT": str(api_port),
        "PK_LOCAL_AWS_PORT": str(aws_port),
        "PK_MERCHANT_API_KEY": KEY,
        "PK_WEBHOOK_SECRET": SECRET,
    }
    stack = subprocess.Popen(
        [sys.executable, "-m", "devstack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            get_json(f"http://{HOST}:{api_port}/v1/health")
            return stack
        except OSError:
            time.sleep(1)
    stack.kill()
    raise RuntimeError("the local stack did not start")


def run_locust(api: str, users: int, seconds: int, work: Path) -> Path:
    ledger = work / "ledger.json"
    env = {
        **os.environ,
        "LOAD_LEDGER": str(ledger),
        "PK_MERCHANT_API_KEY": KEY,
        "PK_WEBHOOK_SECRET": SECRET,
    }
    subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 4)),
            "--run-time",
            f"{seconds}s",
            "--host",
            api,
            "--csv",
            str(work / "load"),
            "--csv-full-history",
            "--only-summary",
            "--stop-timeout",
            "10",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        timeout=seconds + 120,
    )
    return ledger


def settle(aws: str, limit: float = 180.0) -> float:
    """Until the stack has sent nothing new for 10 s (the pump has worked off its backlog)."""
    started = last_change = time.monotonic()
    sent = -1
    while time.monotonic() - last_change < 10 and time.monotonic() - started < limit:
        now_sent = len(get_json(f"{aws}/_devstack/mailbox")["emails"])
        if now_sent != sent:
            sent, last_change = now_sent, time.monotonic()
        time.sleep(2)
    return time.monotonic() - started


def check_outcome(api: str, aws: str, ledger: dict[str, Any]) -> dict[str, Any]:
    merchant = {"Authorization": f"Bearer {KEY}"}
    lost: list[str] = []
    for order_id, order in ledger["orders"].items():
        stored = get_json(f"{api}/v1/orders/{order_id}", merchant)
        events = {e["event_id"] for s in stored["shipments"] for e in s["events"]}
        lost += [f"{order_id}: {e}" for e in order["events"] if e not in events]
    subjects = Counter(m["subject"] for m in get_json(f"{aws}/_devstack/mailbox")["emails"])
    confirmations = {o: subjects[f"Danke für deine Bestellung {o}"] for o in ledger["orders"]}
    return {
        "orders": len(ledger["orders"]),
        "carrier_events_accepted": sum(len(o["events"]) for o in ledger["orders"].values()),
        "events_lost": lost,
        "orders_without_one_confirmation": sorted(o for o, n in confirmations.items() if n != 1),
        "server_errors": ledger["server_errors"],
    }


def read_stats(work: Path, seconds: int) -> dict[str, Any]:
    with open(work / "load_stats.csv") as rows:
        stats = list(csv.DictReader(rows))
    routes = {}
    for row in stats:
        if row["Name"] == "Aggregated":
            continue
        routes[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]),
        }
    total = next(row for row in stats if row["Name"] == "Aggregated")
    with open(work / "load_stats_history.csv") as rows:
        history = [r for r in csv.DictReader(rows) if r["Name"] == "Aggregated"]
    timeline = [
        {
            "t": int(r["Timestamp"]) - int(history[0]["Timestamp"]),
            "rps": float(r["Requests/s"]),
            "p50_ms": float(r["50%"] or 0),
            "p95_ms": float(r["95%"] or 0),
        }
        for r in history
        if r["95%"] not in ("", "N/A")
    ]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "throughput_rps": round(int(total["Request Count"]) / seconds, 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "routes": routes,
        "timeline": timeline,
    }


def section(figures: dict[str, Any]) -> str:
    outcome = figures["outcome"]
    checks = [
        ("no order lost an event", not outcome["events_lost"]),
        (
            "every order got exactly one confirmation",
            not outcome["orders_without_one_confirmation"],
        ),
        ("no 5xx", not outcome["server_errors"]),
    ]
    lines = [
        f"Run {figures['run_on']}: {figures['users']} users for {figures['seconds']} s against "
        f"`make run` on this shared 2-core machine (load average {figures['load_average']} at "
        f"the start): {figures['requests']:,} requests, {figures['throughput_rps']} per second, "
        f"{figures['failures']} failed; p50 {figures['p50_ms']:.0f} ms, p95 "
        f"{figures['p95_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms.",
        "",
        "| route | requests | failed | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in sorted(figures["routes"].items(), key=lambda kv: -kv[1]["requests"]):
        lines.append(
            f"| `{name}` | {r['requests']:,} | {r['failures']} | {r['p50_ms']:.0f} "
            f"| {r['p95_ms']:.0f} | {r['p99_ms']:.0f} |"
        )
    lines += [
        "",
        f"Outcome, checked after the pump had sent what was owed ({outcome['orders']} orders, "
        f"{outcome['carrier_events_accepted']} distinct carrier events accepted):",
        "",
        *(f"- {name}: {'yes' if ok else '**no**'}" for name, ok in checks),
        "",
        "![Latency over the run](figures/load-latency.png)",
    ]
    return "\n".join(lines)


def plot(figures: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    timeline = figures["timeline"]
    figure, (over_time, by_route) = plt.subplots(1, 2, figsize=(11, 3.8), dpi=100)
    seconds = [p["t"] for p in timeline]
    over_time.plot(seconds, [p["p50_ms"] for p in timeline], label="p50")
    over_time.plot(seconds, [p["p95_ms"] for p in timeline], label="p95")
    over_time.set_xlabel("seconds into the run")
    over_time.set_ylabel("ms (all routes)")
    over_time.legend(loc="upper left")
    rate = over_time.twinx()
    rate.plot(seconds, [p["rps"] for p in timeline], color="grey", linestyle=":", label="req/s")
    rate.set_ylabel("requests per second")
    routes = sorted(figures["routes"], key=lambda n: figures["routes"][n]["p95_ms"])
    by_route.barh(routes, [figures["routes"][n]["p95_ms"] for n in routes], label="p95")
    by_route.barh(routes, [figures["routes"][n]["p50_ms"] for n in routes], label="p50")
    by_route.set_xlabel("ms")
    by_route.tick_params(axis="y", labelsize=7)
    by_route.legend(loc="lower right")
    figure.suptitle(f"make load: {figures['users']} users, {figures['seconds']} s", fontsize=10)
    figure.tight_layout()
    figure.savefig(PLOT)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    api_port, aws_port = free_port(), free_port()
    api, aws = f"http://{HOST}:{api_port}", f"http://{HOST}:{aws_port}"
    load_average = round(os.getloadavg()[0], 1)
    stack = start_stack(api_port, aws_port)
    try:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            ledger = json.loads(run_locust(api, args.users, args.seconds, work).read_text())
            settled = settle(aws)
            outcome = check_outcome(api, aws, ledger)
            stats = read_stats(work, args.seconds)
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stack.kill()
    figures = {
        "run_on": datetime.now(UTC).date().isoformat(),
        "users": args.users,
        "seconds": args.seconds,
        "load_average": load_average,
        "settled_after_s": round(settled),
        **stats,
        "outcome": outcome,
    }
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2) + "\n")
    text = replace_generated(PERFORMANCE.read_text(), SECTION, section(figures), SOURCE)
    PERFORMANCE.write_text(text)
    plot(figures)
    print(section(figures))
    passed = not (
        outcome["events_lost"]
        or outcome["orders_without_one_confirmation"]
        or outcome["server_errors"]
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
