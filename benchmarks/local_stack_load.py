"""Load on a running `make run` stack: the local-stack figures in docs/performance.md.

Not part of `make bench` (it needs a running stack) nor of the tests. Start the stack, then:

    python -m benchmarks.local_stack_load --api http://127.0.0.1:8000

1. N orders (default 1,000), each with a shipment and six carrier events (six signed webhooks),
   from a small thread pool; then it waits until every order's confirmation has been sent and
   reads the stack's resident memory (VmRSS of the `make run` process).
2. Webhooks of 100 events for one parcel each: their answer times.
3. Time per order write (POST /v1/orders, one client) with N orders in the table, and again
   after the table has been filled to `--fill-to` orders (default 20,000) by cloning a
   registered order's items with BatchWriteItem (the order, its tracking number, its
   notification record), which is much faster than the API and leaves the same items behind.

Between phases it waits until the stack's CPU is quiet, so that the event pump's backlog does
not land in the next measurement. `--only-webhooks` runs phase 2 alone (a few minutes):

    python -m benchmarks.local_stack_load --api http://127.0.0.1:8000 --only-webhooks
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import boto3
import requests

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

EVENTS = [  # six carrier events per parcel: (status, hours before now)
    ("info_received", 10.0),
    ("in_transit", 8.0),
    ("in_transit", 6.0),
    ("in_transit", 4.0),
    ("out_for_delivery", 2.0),
    ("delivered", 0.5),
]
_local = threading.local()


def http_client() -> requests.Session:
    if not hasattr(_local, "client"):
        _local.client = requests.Session()
    return _local.client


class Stack:
    def __init__(self, api: str, aws: str, key: str, secret: str, run_id: str) -> None:
        self.api, self.aws, self.secret, self.run_id = api, aws, secret, run_id
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict[str, Any]) -> float:
        started = time.perf_counter()
        response = http_client().post(
            f"{self.api}{path}", data=json.dumps(body), headers=self.headers, timeout=120
        )
        elapsed = time.perf_counter() - started
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
        return elapsed

    def webhook(self, events: list[dict[str, Any]]) -> float:
        body = json.dumps({"events": events}).encode()
        t = str(int(time.time()))
        signature = hmac.new(self.secret.encode(), t.encode() + b"." + body, hashlib.sha256)
        headers = {
            "Content-Type": "application/json",
            "X-Signature": f"t={t},v1={signature.hexdigest()}",
        }
        started = time.perf_counter()
        response = http_client().post(
            f"{self.api}/v1/webhooks/generic", data=body, headers=headers, timeout=120
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or response.json()["accepted"] != len(events):
            raise RuntimeError(f"webhook: {response.status_code} {response.text[:300]}")
        return elapsed

    def confirmations(self) -> int:
        box = http_client().get(f"{self.aws}/_devstack/mailbox", timeout=120).json()
        return sum(
            1
            for m in box["emails"]
            if m["subject"].startswith("Danke") and self.run_id in m["subject"]
        )

    def order_id(self, n: int) -> str:
        return f"{self.run_id}-{n:05d}"


def order_body(order_id: str, now: datetime) -> dict[str, Any]:
    today = now.astimezone(ZoneInfo("Europe/Berlin")).date()
    return {
        "order_id": order_id,
        "placed_at": (now - timedelta(days=1)).isoformat(),
        "customer": {"name": "Anna Schmidt", "email": "anna@example.com", "locale": "de-DE",
                     "channels": ["email"]},
        "destination": {"country": "DE", "postal_code": "10115", "city": "Berlin"},
        "items": [{"sku": "TSHIRT-M", "quantity": 1, "name": "T-Shirt M"}],
        "promise": {"method": "standard", "earliest": (today + timedelta(days=1)).isoformat(),
                    "latest": (today + timedelta(days=3)).isoformat()},
    }  # fmt: skip


def tracking_number(order_id: str) -> str:
    return "T" + hashlib.sha256(order_id.encode()).hexdigest()[:20].upper()


def register(stack: Stack, order_id: str, now: datetime) -> float:
    took = stack.post("/v1/orders", order_body(order_id, now))
    shipment = {"shipment_id": "S1", "carrier": "dhl", "tracking_number": tracking_number(order_id),
                "items": [{"sku": "TSHIRT-M", "quantity": 1}]}  # fmt: skip
    stack.post(f"/v1/orders/{order_id}/shipments", shipment)
    return took


def carrier_event(order_id: str, n: int, status: str, at: datetime) -> dict[str, Any]:
    number = tracking_number(order_id)
    return {"event_id": f"{order_id}-e{n}", "carrier": "dhl", "tracking_number": number,
            "status": status, "occurred_at": at.isoformat(), "location": "Berlin"}  # fmt: skip


def one_order(stack: Stack, n: int) -> list[float]:
    now = datetime.now(UTC)
    order_id = stack.order_id(n)
    register(stack, order_id, now)
    return [
        stack.webhook([carrier_event(order_id, i, status, now - timedelta(hours=hours))])
        for i, (status, hours) in enumerate(EVENTS)
    ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid: int, limit: float = 900.0) -> float:
    """Until the stack uses under 10 % of a core over 3 s (the pump has nothing left to do)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = cpu_seconds(pid)
        time.sleep(3)
        if cpu_seconds(pid) - before < 0.3:
            break
    return time.monotonic() - started


def find_stack_pid(api: str) -> int:
    """The `python -m devstack` process serving `api` (its PK_LOCAL_API_PORT, 8000 by default)."""
    port = api.rsplit(":", 1)[-1].strip("/")
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"devstack" not in cmdline or b"-m" not in cmdline:
            continue
        env = dict(e.decode(errors="replace").split("=", 1) for e in environ if b"=" in e)
        if env.get("PK_LOCAL_API_PORT", "8000") == port:
            return int(proc.name)
    raise RuntimeError(f"no running `make run` stack serves {api}; pass --pid")


def sent_so_far(stack: Stack) -> int:
    """E-mails the embedded SES has sent: a cheap count (reading the mailbox renders them all)."""
    ses = boto3.client("ses", endpoint_url=stack.aws)
    return int(ses.get_send_quota()["SentLast24Hours"])


def wait_for_mail(stack: Stack, pid: int, limit: float = 3600) -> float:
    """Until the stack has stopped sending (no new e-mail for 30 s) and is quiet."""
    started = last_change = time.monotonic()
    sent = -1
    while time.monotonic() - last_change < 30 and time.monotonic() - started < limit:
        now_sent = sent_so_far(stack)
        if now_sent != sent:
            sent, last_change = now_sent, time.monotonic()
        time.sleep(5)
    wait_until_quiet(pid)
    return time.monotonic() - started


def phase_orders(stack: Stack, orders: int, workers: int) -> dict[str, Any]:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        webhook_times = [
            t for ts in pool.map(lambda n: one_order(stack, n), range(orders)) for t in ts
        ]
    return {"orders": orders, "posted_in_s": round(time.monotonic() - started, 1),
            "webhook_median_s": round(statistics.median(webhook_times), 3)}  # fmt: skip


def phase_mail(stack: Stack, orders: int, pid: int) -> dict[str, Any]:
    waited = wait_for_mail(stack, pid)
    return {"confirmations_sent": stack.confirmations(), "of_orders": orders,
            "emails_sent": sent_so_far(stack), "mail_settled_after_s": round(waited),
            "rss_mb_after": round(rss_mb(pid))}  # fmt: skip


def phase_big_webhooks(stack: Stack, repeats: int = 3, pid: int | None = None) -> dict[str, Any]:
    times = []
    for r in range(repeats):
        now = datetime.now(UTC)
        order_id = f"{stack.run_id}-big{r}"
        register(stack, order_id, now)
        start = now - timedelta(hours=30)
        events = [carrier_event(order_id, i, "in_transit", start + timedelta(minutes=15 * i))
                  for i in range(99)]  # fmt: skip
        events.append(carrier_event(order_id, 99, "delivered", now - timedelta(minutes=5)))
        if pid is not None:  # the order's confirmation is not what this phase measures
            wait_until_quiet(pid)
        times.append(stack.webhook(events))
    return {"webhook_100_events_s": [round(t, 2) for t in times]}


def order_write_times(stack: Stack, first: int, count: int) -> float:
    now = datetime.now(UTC)
    times = [
        stack.post("/v1/orders", order_body(stack.order_id(first + n), now)) for n in range(count)
    ]
    return statistics.median(times)


def fill_table(stack: Stack, template: str, start: int, up_to: int, table: str) -> int:
    """Clone the template order's items (order, tracking, notification) until `up_to` orders."""
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.aws)
    items = dynamodb.query(
        TableName=table, KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ORDER#{template}"}},
    )["Items"]  # fmt: skip
    tn = tracking_number(template)
    items += [
        dynamodb.get_item(
            TableName=table, Key={"PK": {"S": f"TRACKING#{tn}"}, "SK": {"S": "TRACKING"}}
        )["Item"]
    ]
    items = [i for i in items if not i["SK"]["S"].startswith("EVENT#")]
    pattern = json.dumps(items)
    batch: list[WriteRequestTypeDef] = []
    for n in range(start, up_to):
        clone = stack.order_id(n)
        text = pattern.replace(template, clone).replace(tn, tracking_number(clone))
        batch += [{"PutRequest": {"Item": item}} for item in json.loads(text)]
        while len(batch) >= 25:
            dynamodb.batch_write_item(RequestItems={table: batch[:25]})
            batch = batch[25:]
    if batch:
        dynamodb.batch_write_item(RequestItems={table: batch})
    return up_to - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--aws", default=None, help="embedded AWS (default: API port 8000 → 4566)")
    parser.add_argument("--pid", type=int, default=None, help="the make run process")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--fill-to", type=int, default=20000)
    parser.add_argument("--sample", type=int, default=200, help="order writes timed per size")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--key", default="dev-merchant-key")
    parser.add_argument("--secret", default="dev-webhook-secret")
    parser.add_argument("--run-id", default=None, help="continue a run: its order id prefix")
    parser.add_argument("--skip-orders", action="store_true", help="orders are already posted")
    parser.add_argument(
        "--only-webhooks", action="store_true", help="phase 2 only: 100-event webhooks"
    )
    parser.add_argument("--repeats", type=int, default=3, help="100-event webhooks to time")
    args = parser.parse_args()
    aws = args.aws or args.api.rsplit(":", 1)[0] + ":4566"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    run_id = args.run_id or f"L{int(time.time()) % 100000}"
    stack = Stack(args.api, aws, args.key, args.secret, run_id=run_id)
    pid = args.pid or find_stack_pid(args.api)
    results: dict[str, Any] = {"run_id": run_id, "rss_mb_at_start": round(rss_mb(pid))}
    if args.only_webhooks:
        wait_until_quiet(pid)
        results |= phase_big_webhooks(stack, args.repeats, pid)
        print(json.dumps(results, indent=2), flush=True)
        return
    if not args.skip_orders:
        results |= phase_orders(stack, args.orders, args.workers)
    results |= phase_mail(stack, args.orders, pid)
    print(json.dumps(results), flush=True)
    results |= phase_big_webhooks(stack, args.repeats)
    wait_until_quiet(pid)
    at_small = order_write_times(stack, args.orders, args.sample)
    first_clone = args.orders + args.sample
    filled = fill_table(stack, stack.order_id(0), first_clone, args.fill_to, "promise-keeper")
    wait_until_quiet(pid)
    at_large = order_write_times(stack, args.fill_to, args.sample)
    results |= {
        "order_write_median_ms": {
            f"{args.orders} orders": round(at_small * 1000, 1),
            f"{args.fill_to} orders": round(at_large * 1000, 1),
        },
        "order_write_ratio": round(at_large / at_small, 2),
        "cloned_orders": filled,
        "rss_mb_at_end": round(rss_mb(pid)),
    }
    print(json.dumps(results, indent=2), flush=True)


if __name__ == "__main__":
    main()
