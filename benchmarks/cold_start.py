"""Cold start to the first answer, per function: a fresh process imports what Lambda imports for
that function (`app`, where every handler is bound to the middleware) and answers one event,
against a minimal Chalice function that imports boto3 and answers one request. Targets: the
quote ≤ 1.3 ×, the others ≤ 1.5 ×.

Each sample is a fresh interpreter timing only its own import and first answer (interpreter
start-up excluded); samples of every function and the baseline alternate, so machine noise hits
all alike; medians are compared. Bytecode is explicit rather than left to the caller's
environment (PYTHONDONTWRITEBYTECODE would silently compile this project's modules in every
sample): the headline figures read every module's bytecode from a cache the first, discarded,
round fills (the deployment zip carries bytecode of most of what a cold start imports:
infra/bytecode.py); the `source` figures compile every module in every sample, as Lambda did
with a zip of sources only.

Every sample imports botocore as the deployment zip ships it, with the models of the six services
the functions call and none of the other ~400 (infra/slim.py): botocore lists its data directory
on the first client, and the installed package's full directory would overstate that for the
functions (the baseline makes no client).

Beside the issue's baseline, each function has a second, labelled one: a minimal Chalice
function that imports boto3, creates the same clients and makes the same AWS calls as that
function's first answer (the same operations, as many of each) — the part of a cold start that
the SDK costs whatever the code around it. The issue's target is against the first baseline.

Functions that call AWS reach the embedded AWS (moto's server) over HTTP, as the local stack
does. Tracing is off (no X-Ray daemon here) and metrics are discarded, as in the other
benchmarks.

Run alone: python -m benchmarks.cold_start
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks import bytecode_environment

# function → (module Lambda imports, handler), as in the packaged template's Handler.
HANDLERS = {
    "quote": ("app", "app"),
    "relay": ("app", "relay_outbox"),
    "sender": ("app", "send_notifications"),
    "sweep": ("app", "sweep_due_orders"),
}
TARGETS = {"quote": 1.3, "relay": 1.5, "sender": 1.5, "sweep": 1.5}
EVENT_VARIABLE = "COLD_START_EVENT"


class Context:
    function_name = "cold-start"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:cold-start"
    aws_request_id = "cold-start"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000  # a fresh invocation of the sender (its timeout: .chalice/config.json)


def _baseline_handler() -> Any:
    import boto3  # noqa: F401  (the baseline pays for boto3 as every function here does)
    from chalice import Chalice

    app = Chalice(app_name="baseline")

    @app.route("/v1/promise/quote", methods=["POST"])
    def quote() -> dict[str, bool]:
        return {"ok": True}

    return app


def _same_calls_handler(function: str) -> Any:
    """The minimal Chalice function making `function`'s AWS calls (recorded from its first
    answer with botocore's before-call events): what the SDK costs that function at least."""
    import boto3
    from chalice import Chalice

    app = Chalice(app_name=f"same-calls-{function}")

    @app.route("/v1/promise/quote", methods=["POST"])
    def quote() -> dict[str, bool]:
        SAME_CALLS[function](boto3, os.environ)
        return {"ok": True}

    return app


def _one_read(boto3: Any, env: Any) -> None:
    # The quote's learned lanes: the projector's snapshot, one item.
    boto3.client("dynamodb").get_item(
        TableName=env["PK_TABLE_NAME"], Key={"PK": {"S": "LEARNED#lanes"}, "SK": {"S": "SNAPSHOT"}}
    )


def _queries(boto3: Any, env: Any) -> None:
    # The sweep's due orders: four queries.
    dynamodb = boto3.client("dynamodb")
    for shard in range(4):
        dynamodb.query(
            TableName=env["PK_TABLE_NAME"],
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"BENCH#{shard}"}},
        )


def _relay_calls(boto3: Any, env: Any) -> None:
    boto3.client("sqs").send_message_batch(
        QueueUrl=env["PK_NOTIFICATIONS_QUEUE_URL"], Entries=[{"Id": "1", "MessageBody": "{}"}]
    )


def _sender_calls(boto3: Any, env: Any) -> None:
    # The order's read, the notification log's read, its claim, the e-mail, its record.
    dynamodb, table = boto3.client("dynamodb"), env["PK_TABLE_NAME"]
    key = {"PK": {"S": "BENCH#same-calls"}, "SK": {"S": "NOTE"}}
    dynamodb.get_item(TableName=table, Key=key)
    dynamodb.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": key["PK"]},
    )
    add = {"UpdateExpression": "ADD sends :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}
    dynamodb.update_item(TableName=table, Key=key, **add)
    boto3.client("sesv2").send_email(
        FromEmailAddress=env["PK_SENDER_EMAIL"],
        Destination={"ToAddresses": ["bench@example.com"]},
        Content={"Simple": {"Subject": {"Data": "Bench"}, "Body": {"Text": {"Data": "Bench"}}}},
    )
    dynamodb.update_item(TableName=table, Key=key, **add)


SAME_CALLS = {"quote": _one_read, "relay": _relay_calls, "sender": _sender_calls, "sweep": _queries}
# The first quote's own variants (the issue's targets): learned windows off, against the
# baseline; and the API function as Lambda starts it, its first quote prepared in init
# (chalicelib/init_phase.py), timed in two parts.
VARIANTS = {
    "quote_learned_off": {"PK_LEARNED_WINDOWS": "false"},
    "quote_init_phase": {"_HANDLER": "app.app"},
}
FIRST_QUOTE_TARGETS = {"learned_off_vs_baseline": 1.3, "learned_on_vs_one_read": 1.3}


def probe(function: str) -> None:
    """In the fresh process: import the function, answer the event, print time and answer."""
    event = json.loads(os.environ[EVENT_VARIABLE])
    context = Context()
    start = time.perf_counter()
    if function == "baseline":
        handler = _baseline_handler()
    elif function.startswith("calls:"):
        handler = _same_calls_handler(function.removeprefix("calls:"))
    elif function in VARIANTS:
        handler = importlib.import_module("app").app
    else:
        module, name = HANDLERS[function]
        handler = getattr(importlib.import_module(module), name)
    initialised = time.perf_counter()
    answer = handler(event, context)
    elapsed = time.perf_counter() - start
    init = initialised - start
    print(json.dumps({"seconds": elapsed, "init": init, "answer": answer}, default=str))


# -- the measuring process ---------------------------------------------------------------------
SECRETS = {
    "PK_MERCHANT_API_KEY": "bench-merchant-key",
    "PK_WEBHOOK_SECRET": "bench-webhook-secret",
    "PK_TOKEN_SECRET": "bench-token-secret",
}


@contextmanager
def provisioned(orders: int) -> Iterator[dict[str, Any]]:
    """The embedded AWS (moto's server) on a free port, the process's environment pointed at it
    as the local stack's is (with this benchmark's own secrets), and `_provision`'s resources."""
    import socket

    from devstack.embedded_aws import EmbeddedAWS
    from devstack.environment import local_environment

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = EmbeddedAWS(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = dict(os.environ)
    try:
        os.environ.update(local_environment(aws_port=port))
        os.environ.update(
            PK_PUBLIC_BASE_URL="https://track.shop.example",
            PK_SENDER_EMAIL="orders@shop.example",
            POWERTOOLS_TRACE_DISABLED="true",
            POWERTOOLS_LOG_LEVEL="WARNING",
            **SECRETS,
        )
        yield _provision(orders)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def _provision(orders: int) -> dict[str, Any]:
    """Table, queues and sender in the embedded AWS; `orders` registered orders; one outbox item."""
    import urllib.request

    import boto3
    from chalice.test import Client

    from app import app
    from chalicelib import deps, settings
    from devstack.resources import create_queues, create_tables, table_name, verify_sender

    # Another benchmark in the same run may have read settings, built clients, or left resources
    # in moto's backends (shared by every server in this process).
    settings.reset_caches()
    deps.reset()
    reset = urllib.request.Request(f"{os.environ['AWS_ENDPOINT_URL']}/moto-api/reset", b"")
    urllib.request.urlopen(reset, timeout=10).close()
    create_tables(boto3.client("dynamodb"))
    urls = create_queues(boto3.client("sqs"))
    verify_sender(boto3.client("sesv2"), os.environ["PK_SENDER_EMAIL"])
    os.environ["PK_NOTIFICATIONS_QUEUE_URL"] = urls["NotificationsQueue"]
    headers = {
        "Authorization": f"Bearer {SECRETS['PK_MERCHANT_API_KEY']}",
        "Content-Type": "application/json",
    }
    with Client(app) as client:
        for number in range(orders):
            body = dict(ORDER, order_id=f"bench-{number}")
            answer = client.http.post("/v1/orders", headers=headers, body=json.dumps(body))
            assert answer.status_code == 201, answer.body
    # The learned lanes as the projector keeps them: one snapshot item the quote reads.
    lane = {"dhl|paket|WH-LEIPZIG|DE-10": {"1": 1190, "2": 50}}
    boto3.client("dynamodb").put_item(
        TableName=table_name(),
        Item={"PK": {"S": "LEARNED#lanes"}, "SK": {"S": "SNAPSHOT"},
              "histograms": {"S": json.dumps(lane)}, "read_at": {"S": "2026-12-21T00:00:00+00:00"},
              "first_week": {"S": "2026-W45"}, "last_week": {"S": "2026-W52"}},
    )  # fmt: skip
    outbox = boto3.client("dynamodb").query(
        TableName=table_name(),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "OUTBOX#bench-0"}},
    )["Items"][0]
    return {"outbox_item": outbox}


ORDER: dict[str, Any] = {
    "placed_at": "2026-12-21T10:15:00+01:00",
    "customer": {"name": "Bench", "email": "bench@example.com", "locale": "de-DE"},
    "destination": {"country": "DE", "postal_code": "10115", "city": "Berlin"},
    "items": [{"sku": "TSHIRT-M", "quantity": 1, "name": "T-Shirt M"}],
    "promise": {"method": "standard", "earliest": "2026-12-22", "latest": "2026-12-23"},
}


def _events(outbox_item: dict[str, Any], sample: int) -> dict[str, dict[str, Any]]:
    from datetime import UTC, datetime

    from benchmarks.quote_route import CART, api_gateway_event
    from chalicelib.domain.outbox import OutboxMessage, QueuedNotification

    order_id = f"bench-{sample}"  # a fresh order per sample: each sender sends, none is a repeat
    message = OutboxMessage(
        message_id=OutboxMessage.make_id("order_confirmed", order_id, None, "confirmed"),
        kind="order_confirmed",
        order_id=order_id,
        status="confirmed",
        occurred_at=datetime.now(UTC),
    )
    sqs = {
        "messageId": f"m-{sample}",
        "receiptHandle": "receipt",
        "body": QueuedNotification(message=message).model_dump_json(),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:promise-keeper-notifications",
    }
    stream = {
        "eventID": f"e-{sample}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"PK": outbox_item["PK"], "SK": outbox_item["SK"]},
            "NewImage": outbox_item,
            "SequenceNumber": str(sample + 1),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    schedule = {"version": "0", "id": f"s-{sample}", "detail-type": "Scheduled Event",
                "source": "aws.events", "account": "123456789012", "time": "2026-12-22T08:00:00Z",
                "region": "eu-central-1", "resources": [], "detail": {}}  # fmt: skip
    quote = api_gateway_event("POST", "/v1/promise/quote", CART)
    return {
        "baseline": quote,
        "quote": quote,
        **dict.fromkeys(VARIANTS, quote),
        "relay": {"Records": [stream]},
        "sender": {"Records": [sqs]},
        "sweep": schedule,
    }


def _answered(function: str, answer: Any) -> bool:
    if function in ("baseline", "quote", *VARIANTS) or function.startswith("calls:"):
        return bool(answer["statusCode"] == 200)
    if function == "sender":
        return bool(answer == {"batchItemFailures": []})
    if function == "sweep":
        return "changed" in answer
    return answer is None or isinstance(answer, dict)


def _deployed_botocore(target: str) -> str:
    """A copy of the installed botocore with only the data the deployment zip keeps, in
    `target`; the path to put first on PYTHONPATH."""
    import shutil
    from pathlib import Path

    import botocore

    from infra.slim import kept

    installed = Path(botocore.__file__).parent

    def dropped(folder: str, names: list[str]) -> list[str]:
        relative = Path(folder).relative_to(installed.parent).as_posix()
        # A folder is named by a file inside it, as in the zip's list of files.
        inside = {n: "/x" if (Path(folder) / n).is_dir() else "" for n in names}
        return [n for n in names if not kept(f"{relative}/{n}{inside[n]}")]

    shutil.copytree(installed, Path(target) / "botocore", ignore=dropped)
    return target


def _sample_env(path: str, cache: str, write: bool) -> dict[str, str]:
    """The child's environment: `path` first on PYTHONPATH; bytecode as bytecode_environment
    says (from `cache`, or with an empty cache never written, from source every time)."""
    env = bytecode_environment(cache, write=write)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [path, env.get("PYTHONPATH")]))
    return env


def _sample(function: str, event: dict[str, Any], base_env: dict[str, str]) -> float:
    return _timed(function, event, base_env)["seconds"]


def _timed(function: str, event: dict[str, Any], base_env: dict[str, str]) -> dict[str, float]:
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**base_env, **VARIANTS.get(function, {}), EVENT_VARIABLE: json.dumps(event)}
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.cold_start", function],
        cwd=root, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not _answered(function, result["answer"]):
        raise AssertionError(f"{function} did not answer: {result['answer']}\n{out.stdout[-3000:]}")
    return {"seconds": float(result["seconds"]), "init": float(result["init"])}


def measure(rounds: int = 9) -> dict[str, Any]:
    import statistics
    import tempfile

    functions = ("baseline", *HANDLERS)
    same_calls = tuple(f"calls:{f}" for f in HANDLERS)
    modes = ("bytecode", "source")
    runs = {"bytecode": (*functions, *same_calls, *VARIANTS), "source": functions}
    times: dict[tuple[str, str], list[float]] = {(m, f): [] for m in modes for f in runs[m]}
    inits: dict[str, list[float]] = {f: [] for f in ("baseline", *VARIANTS)}
    with (
        tempfile.TemporaryDirectory() as cache,
        tempfile.TemporaryDirectory() as empty,
        tempfile.TemporaryDirectory() as libraries,
        provisioned(orders=2 * rounds + 2) as seeded,
    ):
        path = _deployed_botocore(libraries)
        envs = {
            "bytecode": _sample_env(path, cache, write=True),
            "source": _sample_env(path, empty, write=False),
        }
        for sample in range(rounds + 1):
            for number, mode in enumerate(modes):
                events = _events(seeded["outbox_item"], 2 * sample + number)
                for function in runs[mode]:
                    event = events["baseline" if function in same_calls else function]
                    timed = _timed(function, event, envs[mode])
                    if sample:  # the first round fills the bytecode cache
                        times[mode, function].append(timed["seconds"])
                        if mode == "bytecode" and function in inits:
                            inits[function].append(timed["init"])
    medians = {key: statistics.median(t) * 1000 for key, t in times.items()}
    ratios = {key: round(ms / medians[key[0], "baseline"], 2) for key, ms in medians.items()}
    headline = {
        **{f"{f}_ms": round(medians["bytecode", f], 1) for f in functions},
        **{f"{f}_ratio": ratios["bytecode", f] for f in HANDLERS},
    }
    return {
        **headline,
        # Beside the headline, never instead of it: each function against its own AWS calls.
        "same_calls": {
            **{f"{f}_ms": round(medians["bytecode", f"calls:{f}"], 1) for f in HANDLERS},
            **{
                f"{f}_ratio": round(medians["bytecode", f] / medians["bytecode", f"calls:{f}"], 2)
                for f in HANDLERS
            },
        },
        "source": {
            **{f"{f}_ms": round(medians["source", f], 1) for f in functions},
            **{f"{f}_ratio": ratios["source", f] for f in HANDLERS},
        },
        "first_quote": _first_quote(medians, inits),
        "targets": TARGETS,
        "meets_target": all(ratios["bytecode", f] <= TARGETS[f] for f in HANDLERS),
    }


def _first_quote(medians: dict[tuple[str, str], float], inits: dict[str, list[float]]) -> Any:
    """The issue's first-quote targets, and the API function started as Lambda starts it: its
    init (import, with the first quote prepared) and its first answer, timed apart."""
    import statistics

    ms = {f: medians["bytecode", f] for f in ("baseline", "quote", "calls:quote", *VARIANTS)}
    init = {f: statistics.median(t) * 1000 for f, t in inits.items()}
    ratios = {
        "learned_off_vs_baseline": round(ms["quote_learned_off"] / ms["baseline"], 2),
        "learned_on_vs_one_read": round(ms["quote"] / ms["calls:quote"], 2),
    }
    return {
        **ratios,
        "ms": {f: round(v, 1) for f, v in ms.items()},
        "init_phase": {
            "init_ms": round(init["quote_init_phase"], 1),
            "first_answer_ms": round(ms["quote_init_phase"] - init["quote_init_phase"], 1),
            "baseline_init_ms": round(init["baseline"], 1),
            "baseline_first_answer_ms": round(ms["baseline"] - init["baseline"], 1),
        },
        "targets": FIRST_QUOTE_TARGETS,
        "met": {k: ratios[k] <= FIRST_QUOTE_TARGETS[k] for k in ratios},
    }


if __name__ == "__main__":
    if len(sys.argv) > 1:
        probe(sys.argv[1])
    else:
        print(measure())
