"""List prices and the fixed monthly costs: what turns the measured lifecycle
(benchmarks/lifecycle_cost.py) into US dollars. Pure: no AWS, no measuring.

Prices: eu-central-1 (Frankfurt), USD, without free tiers, from AWS's pricing pages (2026-11).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

PRICE = {
    "api_request": 3.70 / 1e6,  # API Gateway REST API, first 333 million a month
    "http_api_request": 1.20 / 1e6,  # API Gateway HTTP API, first 300 million (for comparison)
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000166667,  # x86_64
    "lambda_provisioned_gb_second": 0.0000041667,  # provisioned concurrency, per GB-s kept
    "lambda_provisioned_duration_gb_second": 0.0000097222,  # duration billed on it
    "dynamodb_write_unit": 0.7625 / 1e6,  # on demand (WRU)
    "dynamodb_read_unit": 0.1525 / 1e6,  # on demand (RRU)
    "dynamodb_gb_month": 0.306,
    "pitr_gb_month": 0.2448,
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB chunk
    "ses_email": 0.10 / 1000,
    "sms_de": 0.0876,  # SNS transactional SMS to Germany; varies by country (see docs/deploy.md)
    "logs_gb": 0.63,  # CloudWatch Logs ingestion (standard class)
    "alarm": 0.10,  # per standard alarm and month
    "custom_metric": 0.30,  # per metric and month (first 10,000)
    "secret_month": 0.40,
    "secret_10k_calls": 0.05,
}

FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at this memory size
# What a Lambda invocation waits on AWS per call, in ms, in the same region (p50 orders of
# magnitude from AWS's documentation and common measurements; the emulator's own latency says
# nothing about AWS's). Only the billed duration depends on them.
CALL_MS = {"dynamodb": 6.0, "sqs": 12.0, "sesv2": 40.0, "sns": 40.0, "secretsmanager": 20.0}
LAMBDA_REPORT_BYTES = 320  # START, END and REPORT lines Lambda writes per invocation
ACCESS_LOG_BYTES = 330  # one API access log line (infra/build.py ACCESS_LOG_FORMAT)
ITEM_OVERHEAD_BYTES = 100  # DynamoDB bills 100 bytes of storage per item and per index entry

# Fixed per month, whatever the volume.
ALARMS = 20  # infra/alarms.py: queues, 2 per function, iterator age, 5xx rate, quote p99
DETAILED_METRICS = 14  # API Gateway per-method metrics on the quote's two methods (7 each)
BUSINESS_METRICS = 8  # Powertools metrics the functions emit
SWEEPS_PER_MONTH = 30 * 24 * 4  # every 15 minutes
REMINDER_RUNS_PER_MONTH = 30 * 24  # hourly
AUTHORIZER_RUNS_PER_MONTH = 30 * 24 * 12  # its answer is cached 5 minutes per key
IDLE_SQS_POLLS_PER_MONTH = 650_000  # Lambda's long polling of an empty queue (5 pollers)
SECRET_READS_PER_MONTH = 30 * 24 * 12 * 4  # every 5 minutes by ~4 warm containers


def billed_ms(cpu_ms: float, io_ms: float, memory_mb: int) -> int:
    """An invocation's billed duration: its CPU stretched to the memory's share of a vCPU, plus
    its waiting on AWS, rounded up to Lambda's 1 ms step."""
    return max(1, math.ceil(cpu_ms * FULL_VCPU_MB / min(memory_mb, FULL_VCPU_MB) + io_ms))


def lambda_cost(invocations: int, billed_ms_total: float, memory_mb: int) -> float:
    gb_seconds = billed_ms_total / 1000 * memory_mb / 1024
    return invocations * PRICE["lambda_request"] + gb_seconds * PRICE["lambda_gb_second"]


def fixed_per_month(idle_runs: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """What a month costs with no order at all. ``idle_runs``: the measured cost in USD of one
    sweep and one reminder run that finds nothing (Lambda and DynamoDB), by function."""
    sweep, reminders = idle_runs["sweep_due_orders"], idle_runs["send_rating_reminders"]
    return {
        "alarms and metrics": ALARMS * PRICE["alarm"]
        + (DETAILED_METRICS + BUSINESS_METRICS) * PRICE["custom_metric"],
        "secret": PRICE["secret_month"]
        + SECRET_READS_PER_MONTH / 10_000 * PRICE["secret_10k_calls"],
        "schedules, authorizer and idle polling": SWEEPS_PER_MONTH * sum(sweep.values())
        + REMINDER_RUNS_PER_MONTH * sum(reminders.values())
        + AUTHORIZER_RUNS_PER_MONTH * PRICE["lambda_request"]
        + IDLE_SQS_POLLS_PER_MONTH * PRICE["sqs_request"],
    }


def provisioned_concurrency_per_month(instances: int, memory_mb: int) -> float:
    """Keeping ``instances`` of a function initialised all month (duration billed apart)."""
    seconds = 30 * 24 * 3600
    return instances * memory_mb / 1024 * seconds * PRICE["lambda_provisioned_gb_second"]


def monthly_rows(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per 1,000 orders, and a month of 10k, 100k and 1M orders (fixed costs added)."""
    per_thousand: dict[str, float] = figures["usd_per_1000_orders"]
    fixed = sum(figures["fixed_usd_per_month"].values())
    rows = []
    for orders in (1_000, 10_000, 100_000, 1_000_000):
        scale = orders / 1000
        row: dict[str, Any] = {"orders": orders}
        row.update({name: cost * scale for name, cost in per_thousand.items()})
        row["fixed"] = fixed if orders > 1000 else 0.0
        row["total"] = sum(per_thousand.values()) * scale + row["fixed"]
        row["total without SMS"] = row["total"] - per_thousand["SNS SMS"] * scale
        rows.append(row)
    return rows
