"""Chalice's package (`chalice package --merge-template infra/resources.json`) → the template of
one stage: per-stage names, one least-privilege role and log group per function, alarms with an
action, API limits and access logs, and the stage's data-safety settings.

    python -m infra.build <stage> <chalice package dir> <output dir>
"""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalice.utils import to_cfn_resource_name

from infra import alarms
from infra.bytecode import add_bytecode, check_runtime, cold_start_modules, runtime_version
from infra.functions import FUNCTIONS, Access
from infra.policies import TABLE, policy
from infra.slim import slim

APP = "promise-keeper"
QUEUES = ("NotificationsQueue", "NotificationsDeadLetterQueue", "OutboxRelayFailureQueue")
SENDER = "SendNotifications"
VISIBILITY_PER_TIMEOUT = 6  # AWS's advice for an SQS-triggered function's queue


@dataclass(frozen=True)
class Stage:
    retain_data: bool  # table and queues outlive the stack; the table refuses deletion
    log_retention_days: int


STAGES = {
    "dev": Stage(retain_data=False, log_retention_days=14),
    "prod": Stage(retain_data=True, log_retention_days=365),
}

PARAMETERS: dict[str, Any] = {
    "OperationsEmail": {
        "Type": "String",
        "AllowedPattern": "^[^@\\s]+@[^@\\s]+$",
        "Description": "Receives every alarm (confirm the subscription e-mail SNS sends)",
    },
    "SenderEmail": {
        "Type": "String",
        "AllowedPattern": "^[^@\\s]+@[^@\\s]+$",
        "Description": "The shop's sender address, verified in SES (the address or its domain)",
    },
    "PublicBaseUrl": {
        "Type": "String",
        "AllowedPattern": "^https://.+",
        "Description": "Base of the tracking links in notifications, e.g. https://track.shop.example",
    },
    "ApiRateLimit": {"Type": "Number", "Default": 50, "MinValue": 1},
    "ApiBurstLimit": {"Type": "Number", "Default": 100, "MinValue": 1},
    "QuoteRateLimit": {"Type": "Number", "Default": 200, "MinValue": 1},
    "QuoteBurstLimit": {"Type": "Number", "Default": 400, "MinValue": 1},
    "ApiProvisionedConcurrency": {
        "Type": "Number",
        "Default": 0,
        "MinValue": 0,
        "Description": "API instances kept initialised (0: none; docs/deploy.md has the cost)",
    },
    # The withdrawal function is public and sends mail: its own, lower limit.
    "WithdrawalRateLimit": {"Type": "Number", "Default": 5, "MinValue": 1},
    "WithdrawalBurstLimit": {"Type": "Number", "Default": 20, "MinValue": 1},
    "SenderConcurrency": {
        "Type": "Number",
        "Default": 5,
        "MinValue": 2,
        "Description": "Concurrency reserved for (and capping) the notification sender",
    },
}


class MissingRole(SystemExit):
    """A packaged function has no entry in infra/functions.py."""


def _functions(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: r for n, r in resources.items() if r.get("Type") == "AWS::Serverless::Function"}


def _enter_through_app(functions: dict[str, dict[str, Any]]) -> None:
    """Every event function starts at its handler on `app`, bound to the app's middleware.

    Chalice names the blueprint's module instead, which runs the handler without any middleware
    in Lambda (chalice issue #1566; app.py). Derived from the app, so a new handler needs nothing.
    """
    import app  # the project's Chalice app: importing it only registers handlers (cold-start test)

    for name in app.EVENT_HANDLERS:
        functions[to_cfn_resource_name(name)]["Properties"]["Handler"] = f"app.{name}"


def _name_per_stage(resources: dict[str, Any], stage: str, retain: bool) -> None:
    policy = "Retain" if retain else "Delete"
    for name in (TABLE, *QUEUES):
        resource = resources[name]
        key = "TableName" if name == TABLE else "QueueName"
        resource["Properties"][key] = resource["Properties"][key].replace(APP, f"{APP}-{stage}", 1)
        resource["DeletionPolicy"] = resource["UpdateReplacePolicy"] = policy
    resources[TABLE]["Properties"]["DeletionProtectionEnabled"] = retain


def _failure_queue(resources: dict[str, Any], function: str, stage: str) -> str:
    """A scheduled run that fails after Lambda's retries lands here (and raises an alarm)."""
    queue = f"{function}FailureQueue"
    resources[queue] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "QueueName": f"{APP}-{stage}-{function}-failures",
            "MessageRetentionPeriod": 1209600,
            "SqsManagedSseEnabled": True,
        },
    }
    resources[f"{queue}Alarm"] = alarms.queue_not_empty(
        queue, f"A scheduled {function} run failed twice: read its log group, then redrive"
    )
    return queue


def _wire_events(resources: dict[str, Any], name: str, props: dict[str, Any], stage: str) -> Access:
    access = FUNCTIONS[name]
    for event in props.get("Events", {}).values():
        if event["Type"] == "SQS":  # by reference: the mapping waits for the queue to exist
            event["Properties"]["Queue"] = {"Fn::GetAtt": [access.consumes, "Arn"]}
        if event["Type"] == "Schedule":
            queue = _failure_queue(resources, name, stage)
            props["EventInvokeConfig"] = {
                "MaximumRetryAttempts": 2,
                "DestinationConfig": {
                    "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}
                },
            }
            access = dataclasses.replace(access, sends_to=(*access.sends_to, queue))
    return access


def _wire_function(resources: dict[str, Any], name: str, stage: str, settings: Stage) -> None:
    props = resources[name]["Properties"]
    variables = props["Environment"]["Variables"]
    # Set here, not in .chalice/config.json: Chalice's local server and test client apply the
    # dev stage's variables, and the local stack must keep its development secrets.
    secret = variables["PK_SECRETS_NAME"] = f"{APP}/{stage}"
    variables["PK_TABLE_NAME"] = {"Ref": TABLE}
    variables["PK_SENDER_EMAIL"] = {"Ref": "SenderEmail"}
    variables["PK_PUBLIC_BASE_URL"] = {"Ref": "PublicBaseUrl"}
    access = _wire_events(resources, name, props, stage)
    role = props["Role"]["Fn::GetAtt"][0]
    resources[role]["Properties"]["Policies"] = [
        {"PolicyName": f"{name}Access", "PolicyDocument": policy(name, access, secret)}
    ]
    resources[f"{name}LogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": f"/aws/lambda/{APP}-{stage}-{name}",
            "RetentionInDays": settings.log_retention_days,
        },
    }
    props["LoggingConfig"] = {"LogGroup": {"Ref": f"{name}LogGroup"}}
    props["Tracing"] = "Active"
    resources.update(alarms.function_alarms(name, access.stream))


def _limit_sender(resources: dict[str, Any]) -> None:
    """A flood of notifications cannot take the concurrency the API needs."""
    props = resources[SENDER]["Properties"]
    props["ReservedConcurrentExecutions"] = {"Ref": "SenderConcurrency"}
    for event in props["Events"].values():
        # Lambda stops polling at the reserve instead of receiving messages it must throttle.
        event["Properties"]["ScalingConfig"] = {"MaximumConcurrency": {"Ref": "SenderConcurrency"}}
    queue = resources[FUNCTIONS[SENDER].consumes]["Properties"]
    queue["VisibilityTimeout"] = VISIBILITY_PER_TIMEOUT * props["Timeout"]


API_FUNCTION = "APIHandler"
API_ALIAS = "live"


def _provision_api(resources: dict[str, Any]) -> dict[str, Any]:
    """API Gateway calls the API function's alias, which keeps ApiProvisionedConcurrency
    instances initialised when the stage asks for any (their init prepares the first quote)."""
    props = resources[API_FUNCTION]["Properties"]
    props["AutoPublishAlias"] = API_ALIAS
    props["ProvisionedConcurrencyConfig"] = {
        "Fn::If": [
            "ApiProvisioned",
            {"ProvisionedConcurrentExecutions": {"Ref": "ApiProvisionedConcurrency"}},
            {"Ref": "AWS::NoValue"},
        ]
    }
    rewritten: dict[str, Any] = _to_alias(resources)
    for resource in rewritten.values():
        if resource.get("Type") == "AWS::Lambda::Permission":
            function = resource["Properties"]["FunctionName"]
            if function == {"Fn::GetAtt": [API_FUNCTION, "Arn"]}:
                resource["Properties"]["FunctionName"] = {"Ref": f"{API_FUNCTION}.Alias"}
    return rewritten


def _to_alias(node: Any) -> Any:
    """Every `Fn::Sub` naming the API function's ARN names its alias instead (SAM resolves the
    alias in a Ref, not inside a Sub's text)."""
    arn = "${" + API_FUNCTION + ".Arn}"
    if isinstance(node, dict):
        sub = node.get("Fn::Sub")
        if isinstance(sub, str) and arn in sub:
            alias = {"ApiFunctionAlias": {"Ref": f"{API_FUNCTION}.Alias"}}
            return {"Fn::Sub": [sub.replace(arn, "${ApiFunctionAlias}"), alias]}
        return {key: _to_alias(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_to_alias(value) for value in node]
    return node


def _quote_method_paths() -> list[str]:
    return ["/~1v1~1promise~1quote/POST", "/~1v1~1promise~1quote/GET"]


def _withdrawal_method_paths() -> list[str]:
    """The public withdrawal routes: the declaration, and the page's GET and three POSTs."""
    page = "/~1v1~1pages~1withdrawal"
    return [
        "/~1v1~1withdrawals/POST",
        f"{page}/GET",
        f"{page}/POST",
        f"{page}~1edit/POST",
        f"{page}~1confirm/POST",
    ]


def _limit_api(resources: dict[str, Any], stage: str, settings: Stage) -> dict[str, Any]:
    api = resources["RestAPI"]["Properties"]
    api["Name"] = api["DefinitionBody"]["info"]["title"] = f"{APP}-{stage}"  # the ApiName
    api["TracingEnabled"] = True
    throttle = {
        "ThrottlingRateLimit": {"Ref": "ApiRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"},
    }
    quote = {
        "ThrottlingRateLimit": {"Ref": "QuoteRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "QuoteBurstLimit"},
    }
    settings_all = {"ResourcePath": "/*", "HttpMethod": "*", **throttle}
    per_quote = []
    for path in _quote_method_paths():
        resource, method = path.rsplit("/", 1)
        # Per-method metrics (for the quote's p99 alarm) only here: each method's detailed
        # metrics are billed as custom metrics (docs/deploy.md, costs).
        per_quote.append(
            {"ResourcePath": resource, "HttpMethod": method, "MetricsEnabled": True, **quote}
        )
    withdrawal = {
        "ThrottlingRateLimit": {"Ref": "WithdrawalRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "WithdrawalBurstLimit"},
    }
    per_withdrawal = [
        {"ResourcePath": resource, "HttpMethod": method, **withdrawal}
        for resource, method in (p.rsplit("/", 1) for p in _withdrawal_method_paths())
    ]
    api["MethodSettings"] = [settings_all, *per_quote, *per_withdrawal]
    api["AccessLogSetting"] = {
        "DestinationArn": {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]},
        "Format": json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
    }
    resources["ApiAccessLogGroup"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": f"/aws/apigateway/{APP}-{stage}-access",
            "RetentionInDays": settings.log_retention_days,
        },
    }
    resources["RestAPI"]["DependsOn"] = ["ApiGatewayAccount"]
    resources.update(API_GATEWAY_LOGGING)
    return {"name": api["Name"], "stage": api["StageName"]}


# No personal data: the path holds order ids at most, never the body or headers.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "time": "$context.requestTimeEpoch",
    "method": "$context.httpMethod",
    "resource": "$context.resourcePath",
    "status": "$context.status",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "error": "$context.error.responseType",
    "sourceIp": "$context.identity.sourceIp",
}

# API Gateway writes access logs through one role per account and region.
API_GATEWAY_LOGGING: dict[str, Any] = {
    "ApiGatewayLoggingRole": {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "apigateway.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "ManagedPolicyArns": [
                {
                    "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/"
                    "AmazonAPIGatewayPushToCloudWatchLogs"
                }
            ],
        },
    },
    "ApiGatewayAccount": {
        "Type": "AWS::ApiGateway::Account",
        "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["ApiGatewayLoggingRole", "Arn"]}},
    },
}


def _add_alarm_actions(resources: dict[str, Any]) -> None:
    for resource in resources.values():
        if resource.get("Type") == "AWS::CloudWatch::Alarm":
            resource["Properties"]["AlarmActions"] = [{"Ref": alarms.TOPIC}]
            resource["Properties"]["OKActions"] = [{"Ref": alarms.TOPIC}]


def build(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """The stage's template from Chalice's; raises MissingRole for a function without an entry."""
    settings = STAGES[stage]
    out = copy.deepcopy(template)
    resources = out["Resources"]
    functions = _functions(resources)
    missing = sorted(set(functions) - set(FUNCTIONS))
    if missing:
        raise MissingRole(f"no entry in infra/functions.py for: {', '.join(missing)}")
    out["Parameters"] = copy.deepcopy(PARAMETERS)
    _enter_through_app(functions)
    _name_per_stage(resources, stage, settings.retain_data)
    for name in functions:
        _wire_function(resources, name, stage, settings)
    _limit_sender(resources)
    out["Resources"] = resources = _provision_api(resources)
    out["Conditions"] = {
        **out.get("Conditions", {}),
        "ApiProvisioned": {"Fn::Not": [{"Fn::Equals": [{"Ref": "ApiProvisionedConcurrency"}, 0]}]},
    }
    api = _limit_api(resources, stage, settings)
    resources.update(alarms.topic())
    resources.update(alarms.api_alarms(api["name"], api["stage"]))
    _add_alarm_actions(resources)
    return out


def main(argv: list[str]) -> int:
    stage, source, target = argv[0], Path(argv[1]), Path(argv[2])
    template = build(json.loads((source / "sam.json").read_text()), stage)
    target.mkdir(parents=True, exist_ok=True)
    (target / "sam.json").write_text(json.dumps(template, indent=2) + "\n")
    check_runtime(runtime_version(template))
    modules = cold_start_modules()
    for archive in source.glob("*.zip"):
        slim(archive, target / archive.name)
        added = add_bytecode(target / archive.name, modules)
        print(f"{archive.name}: bytecode of {added} modules", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
