"""Each function's IAM policy, built from its entry in infra/functions.py.

Account, region and partition come from the stack (`AWS::AccountId`, `AWS::Region`,
`AWS::Partition`) or from references to the stack's own resources: nothing matches by wildcard
except where AWS offers no resource to name (marked below).
"""

from __future__ import annotations

from typing import Any

from infra.functions import Access

TABLE = "PromiseKeeperTable"
_SQS_CONSUME = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",  # the sender's own back-off on a failed message
    "sqs:GetQueueAttributes",
)
_STREAM_READ = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")


def _arn(name: str, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [name, attribute]}


def _statement(sid: str, actions: tuple[str, ...], resources: list[Any] | Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources}


def secret_arn(secret_name: str) -> dict[str, Any]:
    # Secrets Manager appends six random characters to a secret's ARN.
    return {
        "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}"
        f":secret:{secret_name}-??????"
    }


def _ses_identities() -> list[Any]:
    """The sender address and its domain: SES authorises against whichever identity verified it."""
    identity = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${Identity}"
    domain = {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "SenderEmail"}]}]}
    return [
        {"Fn::Sub": [identity, {"Identity": {"Ref": "SenderEmail"}}]},
        {"Fn::Sub": [identity, {"Identity": domain}]},
    ]


def _table_statements(access: Access) -> list[dict[str, Any]]:
    out = []
    if access.table:
        out.append(_statement("TableItems", access.table, _arn(TABLE)))
    if access.indexes:
        indexes = [{"Fn::Sub": f"${{{TABLE}.Arn}}/index/{name}"} for name in access.indexes]
        out.append(_statement("TableIndexes", ("dynamodb:Query",), indexes))
    if access.stream:
        out.append(_statement("TableStream", _STREAM_READ, _arn(TABLE, "StreamArn")))
        streams = {"Fn::Sub": f"${{{TABLE}.Arn}}/stream/*"}
        out.append(_statement("TableStreamList", ("dynamodb:ListStreams",), streams))
    return out


def _queue_statements(access: Access) -> list[dict[str, Any]]:
    out = []
    if access.consumes:
        out.append(_statement("QueueConsume", _SQS_CONSUME, _arn(access.consumes)))
    if access.sends_to:
        queues = [_arn(name) for name in access.sends_to]  # exact ARNs: never the DLQ by prefix
        out.append(_statement("QueueSend", ("sqs:SendMessage",), queues))
    return out


def _channel_statements(access: Access, secret_name: str) -> list[dict[str, Any]]:
    out = []
    if access.secret:
        read = ("secretsmanager:GetSecretValue",)
        out.append(_statement("Secret", read, secret_arn(secret_name)))
    if access.email:
        out.append(_statement("Email", ("ses:SendEmail",), _ses_identities()))
    if access.sms:
        # "*" because SMS goes to phone numbers, which have no ARN to name.
        out.append(_statement("SmsToPhoneNumbers", ("sns:Publish",), "*"))
    return out


def policy(function: str, access: Access, secret_name: str) -> dict[str, Any]:
    statements = [
        _statement(
            "OwnLogs", ("logs:CreateLogStream", "logs:PutLogEvents"), _arn(f"{function}LogGroup")
        ),
        # "*" because X-Ray's trace APIs take no resource.
        _statement("Tracing", ("xray:PutTraceSegments", "xray:PutTelemetryRecords"), "*"),
        *_table_statements(access),
        *_queue_statements(access),
        *_channel_statements(access, secret_name),
    ]
    return {"Version": "2012-10-17", "Statement": statements}
