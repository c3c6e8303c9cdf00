"""Create the tables and queues of infra/resources.json — the same definitions CloudFormation
deploys, so the local stack and the tests cannot drift from production."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "resources.json"
# Properties CloudFormation accepts that CreateTable does not take as such.
_TABLE_ONLY_CFN = {
    "TimeToLiveSpecification",
    "PointInTimeRecoverySpecification",
    "SSESpecification",
}


@cache
def template() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(TEMPLATE.read_text())
    return doc


def resources_of(kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: res["Properties"]
        for name, res in template()["Resources"].items()
        if res.get("Type") == kind  # entries without a Type amend Chalice's resources
    }


def table_name() -> str:
    (props,) = resources_of("AWS::DynamoDB::Table").values()
    return str(props["TableName"])


def queue_names() -> dict[str, str]:
    """Logical id → queue name."""
    return {name: p["QueueName"] for name, p in resources_of("AWS::SQS::Queue").items()}


def create_tables(dynamodb: Any) -> None:
    for props in resources_of("AWS::DynamoDB::Table").values():
        args = {k: v for k, v in props.items() if k not in _TABLE_ONLY_CFN}
        stream = args.pop("StreamSpecification", None)
        if stream:
            args["StreamSpecification"] = {"StreamEnabled": True, **stream}
        dynamodb.create_table(**args)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=props["TableName"], TimeToLiveSpecification=ttl)


def create_queues(sqs: Any) -> dict[str, str]:
    """Create every queue (dead-letter queues first); return logical id → queue URL."""
    queues = resources_of("AWS::SQS::Queue")
    urls: dict[str, str] = {}
    ordered = sorted(queues, key=lambda name: "RedrivePolicy" in queues[name])
    for name in ordered:
        props = queues[name]
        attributes = {"MessageRetentionPeriod": str(props.get("MessageRetentionPeriod", 345600))}
        if "VisibilityTimeout" in props:
            attributes["VisibilityTimeout"] = str(props["VisibilityTimeout"])
        redrive = props.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            arn = sqs.get_queue_attributes(QueueUrl=urls[target], AttributeNames=["QueueArn"])
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": arn["Attributes"]["QueueArn"],
                    "maxReceiveCount": str(redrive["maxReceiveCount"]),
                }
            )
        urls[name] = sqs.create_queue(QueueName=props["QueueName"], Attributes=attributes)[
            "QueueUrl"
        ]
    return urls


def gateway_responses() -> dict[str, dict[str, Any]]:
    """ResponseType → {status, template} of the API Gateway gateway responses."""
    out: dict[str, dict[str, Any]] = {}
    for props in resources_of("AWS::ApiGateway::GatewayResponse").values():
        out[props["ResponseType"]] = {
            "status": int(props.get("StatusCode", 0)),
            "template": props["ResponseTemplates"]["application/json"],
            "headers": {
                key.removeprefix("gatewayresponse.header."): value.strip("'")
                for key, value in props.get("ResponseParameters", {}).items()
            },
        }
    return out


def verify_sender(sesv2: Any, address: str) -> None:
    """SES sends only from verified identities, in the emulator as in AWS."""
    sesv2.create_email_identity(EmailIdentity=address)
