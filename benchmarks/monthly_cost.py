"""Expected monthly AWS cost for 10k, 100k and 1M orders a month, from the request counts per
order measured here (DynamoDB per carrier event: benchmarks.webhook_cost; CPU per invocation:
benchmarks.warm_cpu) and list prices. The assumptions are the constants below; docs/deploy.md
prints the table with them.

Run alone: python -m benchmarks.monthly_cost
"""

from __future__ import annotations

from typing import Any

# List prices, eu-central-1 (Frankfurt), USD, without free tiers (AWS pricing pages, 2026-11).
PRICE = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000166667,  # x86_64
    "api_request": 3.70 / 1e6,  # REST API, first 333 million
    "dynamodb_write_unit": 0.7625 / 1e6,  # on demand
    "dynamodb_read_unit": 0.1525 / 1e6,
    "dynamodb_gb_month": 0.306,
    "pitr_gb_month": 0.2448,
    "sqs_request": 0.40 / 1e6,
    "ses_email": 0.10 / 1000,
    "sms_de": 0.0876,  # SNS transactional SMS to Germany; varies by country
    "logs_gb": 0.63,  # CloudWatch Logs ingestion
    "alarm": 0.10,  # per standard alarm and month
    "custom_metric": 0.30,  # per metric and month (first 10,000)
    "secret_month": 0.40,
    "secret_10k_calls": 0.05,
}

# Per order (assumptions; change them to match the shop).
QUOTES_PER_ORDER = 20  # quote requests that reach the API per order placed (after CDN caching)
MERCHANT_CALLS_PER_ORDER = 5  # register order, register shipment, 3 status reads
AUTHORIZER_RUNS_PER_ORDER = 1  # its answer is cached 5 minutes
CARRIER_EVENTS_PER_ORDER = 6  # one parcel, a day of scans (as in benchmarks.webhook_cost)
NOTIFICATIONS_PER_ORDER = 5  # confirmed, shipped, out for delivery, delivered, rating request
SMS_PER_ORDER = 0.2  # one out-for-delivery SMS for the 20 % of customers who opt in
ORDER_WRITE_UNITS = 6.0  # order + outbox + shipment items (KB-rounded writes)
NOTIFICATION_WRITE_UNITS = 3.0  # claim + mark sent per notification
NOTIFICATION_READ_UNITS = 3.0  # the order and its items per notification
KB_PER_ORDER_STORED = 8.0  # items kept per order (events, notifications)
LOG_KB_PER_INVOCATION = 1.5  # Powertools JSON lines; API access log lines are ~0.4 KB
IO_MS = {"quote": 0, "merchant": 30, "webhook": 30, "relay": 20, "sender": 60}  # AWS calls

# Fixed per month, whatever the volume.
ALARMS = 20  # infra/alarms.py: queues, 2 per function, iterator age, 5xx rate, quote p99
DETAILED_METRICS = 14  # API Gateway per-method metrics on the quote's two methods (7 each)
BUSINESS_METRICS = 8  # Powertools metrics the functions emit
SWEEPS_PER_MONTH = 30 * 24 * 4  # every 15 minutes
SWEEP_MS = 300
IDLE_SQS_POLLS_PER_MONTH = 650_000  # Lambda's long-polling of an empty queue (5 pollers)

MEMORY_MB = {"api": 1024, "merchant": 512, "relay": 256, "sender": 512, "sweep": 512}
FULL_VCPU_MB = 1769


def _duration_ms(cpu_ms: float, memory_mb: int, io_ms: float) -> float:
    return max(1.0, cpu_ms * FULL_VCPU_MB / min(memory_mb, FULL_VCPU_MB) + io_ms)


def per_order(cpu: dict[str, float], dynamodb: dict[str, Any]) -> dict[str, float]:
    """USD per order, by service."""
    gb_s = PRICE["lambda_gb_second"] / 1000 / 1024  # per MB-millisecond
    api_ms = (
        QUOTES_PER_ORDER * _duration_ms(cpu["quote"], MEMORY_MB["api"], IO_MS["quote"])
        + MERCHANT_CALLS_PER_ORDER * _duration_ms(1.0, MEMORY_MB["api"], IO_MS["merchant"])
        + CARRIER_EVENTS_PER_ORDER * _duration_ms(1.0, MEMORY_MB["api"], IO_MS["webhook"])
    )
    lambda_mb_ms = (
        api_ms * MEMORY_MB["api"]
        + AUTHORIZER_RUNS_PER_ORDER * 5 * MEMORY_MB["merchant"]
        + NOTIFICATIONS_PER_ORDER
        * (
            _duration_ms(cpu["relay"], MEMORY_MB["relay"], IO_MS["relay"]) * MEMORY_MB["relay"]
            + _duration_ms(cpu["sender"], MEMORY_MB["sender"], IO_MS["sender"])
            * MEMORY_MB["sender"]
        )
    )
    api_requests = QUOTES_PER_ORDER + MERCHANT_CALLS_PER_ORDER + CARRIER_EVENTS_PER_ORDER
    invocations = api_requests + AUTHORIZER_RUNS_PER_ORDER + 2 * NOTIFICATIONS_PER_ORDER
    writes = (
        ORDER_WRITE_UNITS
        + CARRIER_EVENTS_PER_ORDER * dynamodb["write_capacity_units_per_event"]
        + NOTIFICATIONS_PER_ORDER * NOTIFICATION_WRITE_UNITS
    )
    reads = (
        CARRIER_EVENTS_PER_ORDER * dynamodb["read_capacity_units_per_event"]
        + NOTIFICATIONS_PER_ORDER * NOTIFICATION_READ_UNITS
        + MERCHANT_CALLS_PER_ORDER
    )
    log_kb = invocations * LOG_KB_PER_INVOCATION + api_requests * 0.4
    return {
        "API Gateway": api_requests * PRICE["api_request"],
        "Lambda": invocations * PRICE["lambda_request"] + lambda_mb_ms * gb_s,
        "DynamoDB": writes * PRICE["dynamodb_write_unit"]
        + reads * PRICE["dynamodb_read_unit"]
        + KB_PER_ORDER_STORED / 1e6 * (PRICE["dynamodb_gb_month"] + PRICE["pitr_gb_month"]),
        "SQS": NOTIFICATIONS_PER_ORDER * 3 * PRICE["sqs_request"],  # send, receive, delete
        "SES e-mail": NOTIFICATIONS_PER_ORDER * PRICE["ses_email"],
        "SNS SMS": SMS_PER_ORDER * PRICE["sms_de"],
        "CloudWatch Logs": log_kb / 1e6 * PRICE["logs_gb"],
    }


def fixed() -> dict[str, float]:
    sweep_gb_s = SWEEPS_PER_MONTH * SWEEP_MS / 1000 * MEMORY_MB["sweep"] / 1024
    return {
        "alarms and metrics": ALARMS * PRICE["alarm"]
        + (DETAILED_METRICS + BUSINESS_METRICS) * PRICE["custom_metric"],
        "secret": PRICE["secret_month"],
        "sweep and idle polling": sweep_gb_s * PRICE["lambda_gb_second"]
        + SWEEPS_PER_MONTH * PRICE["lambda_request"]
        + IDLE_SQS_POLLS_PER_MONTH * PRICE["sqs_request"],
    }


def table(cpu: dict[str, float], dynamodb: dict[str, Any]) -> list[dict[str, Any]]:
    unit = per_order(cpu, dynamodb)
    base = sum(fixed().values())
    rows = []
    for orders in (10_000, 100_000, 1_000_000):
        row: dict[str, Any] = {"orders": orders}
        row.update({name: round(cost * orders, 2) for name, cost in unit.items()})
        row["fixed"] = round(base, 2)
        row["total"] = round(sum(unit.values()) * orders + base, 2)
        rows.append(row)
    return rows


def measure() -> dict[str, Any]:
    from benchmarks import warm_cpu, webhook_cost

    dynamodb = webhook_cost.measure()
    warm = warm_cpu.measure()
    cpu = {f: warm[f"{f}_cpu_ms"] for f in ("quote", "relay", "sender", "sweep")}
    return {"usd_per_month": table(cpu, dynamodb)}


if __name__ == "__main__":
    for row in measure()["usd_per_month"]:
        print(row)
