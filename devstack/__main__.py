"""`make run`: the whole stack on one laptop. Ctrl-C stops all of it."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any

from devstack import environment, registry
from devstack.environment import API_PORT, AWS_PORT, HOST, REGION


def start_embedded_aws(port: int) -> Any:
    from devstack.embedded_aws import EmbeddedAWS

    server = EmbeddedAWS(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def provision() -> None:
    import boto3

    from chalicelib.settings import get_settings
    from devstack.resources import create_queues, create_tables, verify_sender

    create_tables(boto3.client("dynamodb"))
    create_queues(boto3.client("sqs"))
    verify_sender(boto3.client("sesv2"), get_settings().sender_email)


def start_api(app: Any, port: int) -> Any:
    from devstack.local_server import create_server

    server = create_server(app, HOST, port)
    thread = threading.Thread(target=server.server.serve_forever, name="api", daemon=True)
    thread.start()
    return server


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    environment.apply(environment.local_environment())
    aws = start_embedded_aws(AWS_PORT)
    provision()

    from app import app
    from devstack.pump import EventPump
    from devstack.resources import table_name
    from devstack.stream_retention import StreamRetention

    api = start_api(app, API_PORT)
    stop = threading.Event()
    # Ctrl-C and SIGTERM only set the event (no KeyboardInterrupt that could land anywhere),
    # installed before the banner so that a signal right after it is never missed.
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    pump = EventPump.connected(app, table_name(), REGION)
    pump.retention = StreamRetention(table_name(), REGION)
    pump_thread = threading.Thread(target=pump.run_forever, args=(stop,), name="pump", daemon=True)
    pump_thread.start()

    note = registry.announce(API_PORT, AWS_PORT)  # `make mail` finds this stack by it
    print(_banner(), flush=True)
    while not stop.wait(0.5):
        pass
    # A second Ctrl-C must not interrupt the orderly shutdown below.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("\nStopping: event pump, API, embedded AWS …", flush=True)
    stop.set()
    pump_thread.join(timeout=5)
    api.shutdown()
    aws.stop()
    registry.withdraw(note)
    print("Stopped.", flush=True)
    return 0


def _banner() -> str:
    import os

    return f"""
Promise Keeper is running locally.

  API            http://{HOST}:{API_PORT}        (try: curl http://{HOST}:{API_PORT}/v1/health)
  OpenAPI        http://{HOST}:{API_PORT}/v1/openapi.json
  Embedded AWS   http://{HOST}:{AWS_PORT}        (moto, {REGION}; key testing, secret testing)
  Event pump     DynamoDB stream → relay, SQS → senders, schedules
  Sent messages  make mail   (e-mails and SMS the local stack has sent)

  Merchant API key   {os.environ.get("PK_MERCHANT_API_KEY", "dev-merchant-key")}
  Webhook secret     {os.environ.get("PK_WEBHOOK_SECRET", "dev-webhook-secret")}
  Token secret       {os.environ.get("PK_TOKEN_SECRET", "dev-token-secret")}

Ctrl-C stops everything.
"""


if __name__ == "__main__":
    sys.exit(main())
