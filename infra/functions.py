"""What each Lambda function may call: one entry per function, the only place its role is defined.

The key is the function's logical id in Chalice's template (its name in CamelCase: `relay_outbox`
→ `RelayOutbox`; the API is `APIHandler`, the authorizer named `merchant` is `Merchant`). A
function packaged without an entry here fails the build (infra/build.py) and the wiring test.
"""

from __future__ import annotations

from dataclasses import dataclass

# The order-processing writes: an order, its events and outbox records commit in one transaction.
TABLE_READ = ("dynamodb:GetItem", "dynamodb:Query")
TABLE_TRANSACT = (
    "dynamodb:PutItem",  # a Put inside TransactWriteItems needs it as much as PutItem does
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:TransactWriteItems",
)


@dataclass(frozen=True)
class Access:
    """The AWS calls one function makes, beyond writing its own logs and traces."""

    table: tuple[str, ...] = ()  # DynamoDB actions on the table's items
    indexes: tuple[str, ...] = ()  # the table's indexes it queries
    stream: bool = False  # reads the table's stream (a stream event source)
    sends_to: tuple[str, ...] = ()  # logical ids of queues it sends to (incl. failure queues)
    consumes: str = ""  # logical id of the queue that triggers it
    secret: bool = False  # reads the stage's Secrets Manager secret
    email: bool = False  # SES from the configured sender identity
    sms: bool = False  # SNS publish to phone numbers


FUNCTIONS: dict[str, Access] = {
    # Quote, orders, shipments, webhooks, returns and feedback: the table, its indexes, the secret
    # (promise tokens, customer tokens, webhook signatures). Notifications leave via the stream.
    "APIHandler": Access(
        table=TABLE_READ + TABLE_TRANSACT,
        indexes=("GSI1", "GSI2", "GSI3"),
        secret=True,
    ),
    # The merchant authorizer only compares the presented key with the secret's hashes.
    "Merchant": Access(secret=True),
    # Stream → queue; records that expire unsent go to the failure queue (Lambda sends them with
    # this role).
    "RelayOutbox": Access(stream=True, sends_to=("NotificationsQueue", "OutboxRelayFailureQueue")),
    # Stream → counters: marks each fact counted and adds to its counters in one transaction;
    # records that expire uncounted go to its failure queue. After delivered parcels it reads
    # the lane counters and the learned lanes' snapshot, and rewrites the snapshot.
    "ProjectCounters": Access(
        table=(
            *TABLE_READ,
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:TransactWriteItems",
        ),
        stream=True,
        sends_to=("CounterProjectionFailureQueue",),
    ),
    # Reads the order, claims and records each notification, re-queues SMS held for quiet hours.
    "SendNotifications": Access(
        table=(*TABLE_READ, "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
        consumes="NotificationsQueue",
        sends_to=("NotificationsQueue",),
        secret=True,  # signs the merchant webhook copy and the tracking links' tokens
        email=True,
        sms=True,
    ),
    # Due reminders from GSI2 (RATING_DUE shards); each is one transaction: retire the due item,
    # check the order is unrated, put the outbox record. The secret: the feedback use cases hold
    # the token secret, though a reminder signs nothing itself.
    "SendRatingReminders": Access(
        table=(
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:TransactWriteItems",
        ),
        indexes=("GSI2",),
        secret=True,
    ),
    # The due index (GSI2), then the same transaction as the API. (A scheduled function may also
    # send to its own failure queue, `<Function>FailureQueue`: infra/build.py adds that grant.)
    "SweepDueOrders": Access(table=TABLE_READ + TABLE_TRANSACT, indexes=("GSI2",), secret=True),
}
