"""The local event pump: what Lambda's event source mappings and EventBridge schedules do in AWS.

Chalice's local server only serves HTTP. The pump polls the embedded AWS for SQS messages and
DynamoDB stream records and calls the very handler functions Chalice registered (`app.handler_map`)
with Lambda-shaped events, and fires schedules. Failures behave as in AWS: a failed SQS message
stays on the queue (partial batch responses honoured), a failed stream batch is retried.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalice.app import (
    Chalice,
    DynamoDBEventConfig,
    Rate,
    ScheduledEventConfig,
    SQSEventConfig,
)
from chalice.local import LambdaContext

from devstack.lag import LagReport
from devstack.stream_retention import StreamRetention

REGION_ACCOUNT = "arn:aws:sqs:{region}:123456789012:{name}"
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


CHALICE_CONFIG = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"
DEFAULT_LAMBDA_TIMEOUT = 60  # Chalice's default


def lambda_timeout(function_name: str) -> int:
    """The function's timeout in seconds as deployed (.chalice/config.json), so that a handler
    sees the time left that it would see in Lambda."""
    config = json.loads(CHALICE_CONFIG.read_text())
    function = config.get("lambda_functions", {}).get(function_name, {})
    return int(function.get("lambda_timeout", config.get("lambda_timeout", DEFAULT_LAMBDA_TIMEOUT)))


def schedule_seconds(expression: Any) -> float:
    text = expression.to_string() if isinstance(expression, Rate) else str(expression)
    match = _RATE.fullmatch(text)
    if not match:  # cron expressions: checked once a minute locally
        return 60.0
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


@dataclass
class StreamCursor:
    shard_id: str
    iterator: str | None
    last_sequence: str | None = None  # of the last record handed over
    probed_at: float = 0.0


@dataclass
class EventPump:
    app: Chalice
    sqs: Any
    streams: Any
    dynamodb: Any
    region: str
    table_name: str
    schedule_scale: float = 1.0  # < 1 fires schedules faster locally
    log: Any = print
    stall_probe_seconds: float = 5.0  # how often an empty source is checked for waiting records
    lag: LagReport = field(default_factory=LagReport)
    # make run: drop stream records every handler has read (moto would keep them all); tests
    # that rewind the streams to see every record again leave it unset.
    retention: StreamRetention | None = None
    retention_seconds: float = 5.0  # how often read records are released
    # Per handler and shard: each stream handler reads the whole stream at its own pace, as each
    # Lambda event source mapping keeps its own position.
    _cursors: dict[tuple[str, str], StreamCursor] = field(default_factory=dict)
    _next_run: dict[str, float] = field(default_factory=dict)
    _queue_urls: dict[str, str] = field(default_factory=dict)
    _queue_probed_at: dict[str, float] = field(default_factory=dict)
    _released_at: float = 0.0

    @classmethod
    def connected(cls, app: Chalice, table_name: str, region: str, log: Any = print) -> EventPump:
        """A pump on the AWS boto3 is configured for (the embedded one, via AWS_ENDPOINT_URL)."""
        import boto3

        return cls(
            app=app,
            sqs=boto3.client("sqs"),
            streams=boto3.client("dynamodbstreams"),
            dynamodb=boto3.client("dynamodb"),
            region=region,
            table_name=table_name,
            log=log,
        )

    # -- SQS ---------------------------------------------------------------------------------
    def _queue_name(self, config: SQSEventConfig) -> str:
        return config.queue or str(config.queue_arn).rsplit(":", 1)[-1]

    def _queue_url(self, name: str) -> str:
        if name not in self._queue_urls:
            self._queue_urls[name] = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return self._queue_urls[name]

    def _receive_batch(self, name: str, config: SQSEventConfig) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = self.sqs.receive_message(
            QueueUrl=self._queue_url(name),
            MaxNumberOfMessages=min(10, config.batch_size),
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        return received

    def _receive(self, name: str, config: SQSEventConfig) -> list[dict[str, Any]]:
        return self._receive_batch(name, config) or self._probe_queue(name, config)

    def _probe_queue(self, name: str, config: SQSEventConfig) -> list[dict[str, Any]]:
        """Nothing received: are messages waiting all the same? Then look the queue up again."""
        now = time.monotonic()
        if now - self._queue_probed_at.get(name, 0.0) < self.stall_probe_seconds:
            return []
        self._queue_probed_at[name] = now
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self._queue_url(name), AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        waiting = int(attributes.get("ApproximateNumberOfMessages", "0"))
        if not waiting:
            return []
        self._queue_urls.pop(name, None)
        received = self._receive_batch(name, config)
        outcome = "recovered" if received else "still none received"
        self.log(f"[pump] queue {name}: {waiting} message(s) waiting but none received; {outcome}")
        return received

    def pump_queue(self, config: SQSEventConfig) -> int:
        name = self._queue_name(config)
        received = self._receive(name, config)
        if not received:
            return 0
        url = self._queue_url(name)
        self.lag.observe(name, [_sent_at(m) for m in received])
        arn = REGION_ACCOUNT.format(region=self.region, name=name)
        event = {"Records": [_sqs_record(m, arn, self.region) for m in received]}
        try:
            result = self._invoke(config.name, event)
        except Exception as exc:  # as Lambda: the whole batch becomes visible again later
            self.log(f"[pump] {config.name} failed on {len(received)} message(s): {exc!r}")
            return len(received)
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        if failed:
            self.log(f"[pump] {config.name}: {len(failed)} message(s) failed, left for retry")
        return len(received)

    # -- DynamoDB Streams ----------------------------------------------------------------------
    def _stream_arn(self) -> str:
        return str(
            self.dynamodb.describe_table(TableName=self.table_name)["Table"]["LatestStreamArn"]
        )

    def _refresh_cursors(self, arn: str, handler: str) -> list[StreamCursor]:
        shards = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if (handler, shard["ShardId"]) not in self._cursors:
                iterator = self.streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
                self._cursors[(handler, shard["ShardId"])] = StreamCursor(
                    shard["ShardId"], iterator
                )
        return [c for (name, _), c in self._cursors.items() if name == handler]

    def rewind_streams(self) -> None:
        """Read every stream again from its oldest record, as Lambda may after a failure."""
        self._cursors.clear()

    def release_read_records(self) -> int:
        """Let the embedded AWS forget the stream records every stream handler has handled."""
        handlers = {c.name for c in self.app.event_sources if isinstance(c, DynamoDBEventConfig)}
        read = [c.last_sequence for (name, _), c in self._cursors.items() if name in handlers]
        readers = {name for name, _ in self._cursors}
        if self.retention is None or not read or None in read or not handlers <= readers:
            return 0
        in_use = {c.iterator for c in self._cursors.values() if c.iterator}
        return self.retention.release(min(int(s) for s in read if s is not None), in_use)

    def _fresh_iterator(self, arn: str, cursor: StreamCursor) -> str:
        position: dict[str, str] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": cursor.last_sequence}
            if cursor.last_sequence
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        return str(
            self.streams.get_shard_iterator(StreamArn=arn, ShardId=cursor.shard_id, **position)[
                "ShardIterator"
            ]
        )

    def _read(self, arn: str, cursor: StreamCursor, limit: int) -> dict[str, Any]:
        """The next page of the shard; if the iterator yields nothing, now and then a fresh
        iterator from the last record handed over checks that nothing is waiting behind it."""
        assert cursor.iterator is not None
        page: dict[str, Any] = self.streams.get_records(ShardIterator=cursor.iterator, Limit=limit)
        now = time.monotonic()
        if page.get("Records") or now - cursor.probed_at < self.stall_probe_seconds:
            return page
        cursor.probed_at = now
        probe: dict[str, Any] = self.streams.get_records(
            ShardIterator=self._fresh_iterator(arn, cursor), Limit=limit
        )
        if probe.get("Records"):
            self.log(
                f"[pump] stream shard {cursor.shard_id}: the iterator stopped yielding while "
                f"records were waiting after sequence number {cursor.last_sequence}; "
                "reading on from a fresh iterator"
            )
            return probe
        return page

    def pump_stream(self, config: DynamoDBEventConfig) -> int:
        arn = self._stream_arn()
        handled = 0
        for cursor in self._refresh_cursors(arn, config.name):
            if cursor.iterator is None:
                continue
            page = self._read(arn, cursor, config.batch_size)
            records = page.get("Records", [])
            if records:
                created = [r["dynamodb"].get("ApproximateCreationDateTime") for r in records]
                self.lag.observe(config.name, created)  # per handler: each reads at its own pace
                event = {"Records": [_stream_record(r, arn, self.region) for r in records]}
                try:
                    self._invoke(config.name, event)
                except Exception as exc:  # as Lambda: retry the same batch, keep order
                    self.log(f"[pump] {config.name} failed, will retry: {exc!r}")
                    continue
                handled += len(records)
                cursor.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
            cursor.iterator = page.get("NextShardIterator")
        return handled

    # -- schedules -----------------------------------------------------------------------------
    def pump_schedule(self, config: ScheduledEventConfig, now: float) -> int:
        due = self._next_run.setdefault(config.name, now)
        if now < due:
            return 0
        self._next_run[config.name] = (
            now + schedule_seconds(config.schedule_expression) * self.schedule_scale
        )
        event = {
            "version": "0",
            "id": hashlib.sha1(f"{config.name}{now}".encode()).hexdigest(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "region": self.region,
            "resources": [],
            "detail": {},
        }
        try:
            self._invoke(config.name, event)
        except Exception as exc:
            self.log(f"[pump] schedule {config.name} failed: {exc!r}")
        return 1

    # -- loop ----------------------------------------------------------------------------------
    def _invoke(self, name: str, event: dict[str, Any]) -> Any:
        context = LambdaContext(
            function_name=name, memory_size=512, max_runtime_ms=lambda_timeout(name) * 1000
        )
        return self.app.handler_map[name](event, context)

    def run_once(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        count = 0
        for config in self.app.event_sources:
            if isinstance(config, SQSEventConfig):
                count += self.pump_queue(config)
            elif isinstance(config, DynamoDBEventConfig):
                count += self.pump_stream(config)
            elif isinstance(config, ScheduledEventConfig):
                count += self.pump_schedule(config, now)
        return count

    def drain(self, rounds: int = 20) -> int:
        """Run until nothing is left to do (tests); schedules are not fired."""
        total = 0
        for _ in range(rounds):
            count = sum(
                self.pump_queue(c) if isinstance(c, SQSEventConfig) else self.pump_stream(c)
                for c in self.app.event_sources
                if isinstance(c, SQSEventConfig | DynamoDBEventConfig)
            )
            total += count
            if not count:
                break
        return total

    def _release_now_and_then(self) -> None:
        if time.monotonic() - self._released_at >= self.retention_seconds:
            self._released_at = time.monotonic()
            self.release_read_records()

    def run_forever(self, stop: threading.Event, interval: float = 0.5) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once()
                self._release_now_and_then()
            except Exception as exc:  # the embedded AWS went away (shutdown) or a poll failed
                self.log(f"[pump] poll failed: {exc!r}")
                busy = 0
            self.lag.report(busy, self.log)
            if not busy:
                stop.wait(interval)


def _stream_record(record: dict[str, Any], arn: str, region: str) -> dict[str, Any]:
    # boto3 parses ApproximateCreationDateTime into a datetime; Lambda delivers epoch seconds.
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, int | float):
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": change, "eventSourceARN": arn, "awsRegion": region}


def _sent_at(message: dict[str, Any]) -> float | None:
    sent = message.get("Attributes", {}).get("SentTimestamp")
    return int(sent) / 1000 if sent else None


def _sqs_record(message: dict[str, Any], arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": region,
    }
