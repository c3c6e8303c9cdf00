"""The packaged template's wiring, read as the contract of a deployment: each function has its own
least-privilege role and log group, names only resources that exist, every alarm reaches the
operations topic, and the limits hold. Adding a function is one entry in infra/functions.py."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest

from infra import build
from infra.functions import FUNCTIONS
from tests.integration.packaging import ROOT, STAGES, chalice_template, template

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("package")]
OWN = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
TABLE_WRITE = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:TransactWriteItems",
}
# What each function may do, written independently of infra/functions.py: a grant added there
# without being meant fails here.
EXPECTED_ACTIONS = {
    "APIHandler": OWN
    | {"dynamodb:GetItem", "dynamodb:Query", "secretsmanager:GetSecretValue"}
    | TABLE_WRITE,
    "Merchant": OWN | {"secretsmanager:GetSecretValue"},
    "RelayOutbox": OWN
    | {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "sqs:SendMessage",
    },
    "ProjectCounters": OWN
    | {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:TransactWriteItems",
        "sqs:SendMessage",
    },
    "SendNotifications": OWN
    | {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:SendMessage",
        "secretsmanager:GetSecretValue",
        "ses:SendEmail",
        "sns:Publish",
    },
    "SendRatingReminders": OWN
    | {
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:TransactWriteItems",
        "secretsmanager:GetSecretValue",
        "sqs:SendMessage",
    },
    "SweepDueOrders": OWN
    | {"dynamodb:GetItem", "dynamodb:Query", "secretsmanager:GetSecretValue", "sqs:SendMessage"}
    | TABLE_WRITE,
}
# The only grants on "*": AWS has no resource to name for them.
WILDCARD_ALLOWED = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "sns:Publish"}


def functions(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def statements(resources: dict[str, Any], function: dict[str, Any]) -> list[dict[str, Any]]:
    role = resources[function["Role"]["Fn::GetAtt"][0]]["Properties"]
    (policy,) = role["Policies"]
    return list(policy["PolicyDocument"]["Statement"])


def references(value: Any) -> set[str]:
    """Logical ids a CloudFormation value refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return {value["Ref"]}
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        if isinstance(value.get("Fn::Sub"), list):  # [text, {local name: value}]
            text, local = value["Fn::Sub"]
            return (references(text) - set(local)) | references(list(local.values()))
        found: set[str] = set()
        for item in value.values():
            found |= references(item)
        return found
    if isinstance(value, list):
        return set().union(*(references(item) for item in value)) if value else set()
    if isinstance(value, str) and "${" in value:
        names = {part.split("}", 1)[0].split(".", 1)[0] for part in value.split("${")[1:]}
        return {name for name in names if not name.startswith("AWS::")}
    return set()


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_has_its_own_role_and_log_group(stage: str) -> None:
    resources = template(stage)["Resources"]
    packaged = functions(resources)

    assert set(packaged) == set(FUNCTIONS) == set(EXPECTED_ACTIONS)
    roles = [function["Role"]["Fn::GetAtt"][0] for function in packaged.values()]
    assert len(set(roles)) == len(roles)  # no role shared between two functions
    for name, function in packaged.items():
        log_group = resources[function["LoggingConfig"]["LogGroup"]["Ref"]]["Properties"]
        assert log_group["LogGroupName"] == f"/aws/lambda/promise-keeper-{stage}-{name}"
        assert log_group["RetentionInDays"] == build.STAGES[stage].log_retention_days


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_environment_names_a_resource_that_exists(stage: str) -> None:
    document = template(stage)
    known = set(document["Resources"]) | set(document["Parameters"])

    for name, function in functions(document["Resources"]).items():
        variables = function["Environment"]["Variables"]
        assert variables["PK_TABLE_NAME"] == {"Ref": "PromiseKeeperTable"}, name
        assert references(variables) <= known, name
        # The secret it is told to read is the one its role may read.
        granted = [s for s in statements(document["Resources"], function) if s["Sid"] == "Secret"]
        for statement in granted:
            assert (
                f":secret:{variables['PK_SECRETS_NAME']}-??????" in statement["Resource"]["Fn::Sub"]
            )


@pytest.mark.parametrize("stage", STAGES)
def test_each_role_grants_only_its_function_actions_on_named_resources(stage: str) -> None:
    document = template(stage)
    resources = document["Resources"]

    for name, function in functions(resources).items():
        granted = statements(resources, function)
        actions = {action for statement in granted for action in statement["Action"]}
        assert actions == EXPECTED_ACTIONS[name], name
        for statement in granted:
            if statement["Resource"] == "*":
                assert set(statement["Action"]) <= WILDCARD_ALLOWED, (name, statement)
                continue
            text = json.dumps(statement["Resource"])
            assert ":*:" not in text and "arn:aws:" not in text, (name, text)  # account/region
            known = set(resources) | set(document["Parameters"])
            assert references(statement["Resource"]) <= known, (name, text)
            if any(action.startswith("sqs:") for action in statement["Action"]):
                assert "*" not in text, (name, text)  # exact queue ARNs: never the DLQ by prefix


def test_only_the_sender_may_send_mail_or_sms_and_only_the_authorizer_reads_nothing_else() -> None:
    resources = template("prod")["Resources"]
    packaged = functions(resources)

    for name, function in packaged.items():
        actions = {a for s in statements(resources, function) for a in s["Action"]}
        channels = {a for a in actions if a.startswith(("ses:", "sns:"))}
        assert (name == "SendNotifications") == bool(channels), name
    merchant = {a for s in statements(resources, packaged["Merchant"]) for a in s["Action"]}
    assert merchant - OWN == {"secretsmanager:GetSecretValue"}


def test_the_api_may_query_every_index_of_the_table_and_the_sweep_only_the_due_one() -> None:
    resources = template("prod")["Resources"]
    packaged = functions(resources)

    def indexes(name: str) -> set[str]:
        granted = statements(resources, packaged[name])
        return {
            r["Fn::Sub"].rsplit("/", 1)[-1]
            for s in granted
            if s["Sid"] == "TableIndexes"
            for r in s["Resource"]
        }

    assert indexes("APIHandler") == {"GSI1", "GSI2", "GSI3"}
    assert indexes("SweepDueOrders") == {"GSI2"}


@pytest.mark.parametrize("stage", STAGES)
def test_every_alarm_reaches_the_operations_topic(stage: str) -> None:
    resources = template(stage)["Resources"]
    alarms = {
        n: r["Properties"] for n, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"
    }

    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": "OperationsTopic"}], name
    subscription = resources["OperationsEmailSubscription"]["Properties"]
    assert subscription["TopicArn"] == {"Ref": "OperationsTopic"}
    assert subscription["Endpoint"] == {"Ref": "OperationsEmail"}
    expected = {
        "NotificationsDeadLetterAlarm",
        "OutboxRelayFailureAlarm",
        "SweepDueOrdersFailureQueueAlarm",
        "RelayOutboxIteratorAgeAlarm",
        "Api5xxRateAlarm",
        "QuoteLatencyP99Alarm",
    } | {f"{name}{kind}Alarm" for name in FUNCTIONS for kind in ("Errors", "Throttles")}
    assert expected <= set(alarms)
    assert alarms["QuoteLatencyP99Alarm"]["ExtendedStatistic"] == "p99"
    # The API alarms watch this stage of this API (API Gateway's metrics are keyed by name).
    api = resources["RestAPI"]["Properties"]
    for name in ("Api5xxRateAlarm", "QuoteLatencyP99Alarm"):
        dimensions = {d["Name"]: d["Value"] for d in alarms[name]["Dimensions"]}
        assert dimensions["ApiName"] == api["Name"] == api["DefinitionBody"]["info"]["title"]
        assert dimensions["Stage"] == api["StageName"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_sender_is_fed_by_reference_reports_batch_item_failures_and_is_capped(
    stage: str,
) -> None:
    resources = template(stage)["Resources"]
    sender = resources["SendNotifications"]["Properties"]
    (mapping,) = sender["Events"].values()

    assert mapping["Properties"]["Queue"] == {"Fn::GetAtt": ["NotificationsQueue", "Arn"]}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sender["ReservedConcurrentExecutions"] == {"Ref": "SenderConcurrency"}
    queue = resources["NotificationsQueue"]["Properties"]
    assert queue["VisibilityTimeout"] == 6 * sender["Timeout"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_relay_reads_the_table_stream_and_parks_expired_records(stage: str) -> None:
    resources = template(stage)["Resources"]
    (stream,) = resources["RelayOutbox"]["Properties"]["Events"].values()

    assert stream["Properties"]["Stream"] == {"Fn::GetAtt": ["PromiseKeeperTable", "StreamArn"]}
    assert stream["Properties"]["StartingPosition"] == "TRIM_HORIZON"
    assert stream["Properties"]["MaximumRetryAttempts"] == -1  # until the record expires (24 h)
    failures = stream["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert failures == {"Fn::GetAtt": ["OutboxRelayFailureQueue", "Arn"]}


@pytest.mark.parametrize("stage", STAGES)
def test_the_scheduled_sweep_has_an_on_failure_destination(stage: str) -> None:
    resources = template(stage)["Resources"]
    config = resources["SweepDueOrders"]["Properties"]["EventInvokeConfig"]

    destination = config["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["SweepDueOrdersFailureQueue", "Arn"]}
    assert resources["SweepDueOrdersFailureQueue"]["Type"] == "AWS::SQS::Queue"


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_stage_is_throttled_logged_and_traced(stage: str) -> None:
    resources = template(stage)["Resources"]
    api = resources["RestAPI"]["Properties"]

    assert api["TracingEnabled"] is True
    everything, *limited = api["MethodSettings"]
    assert everything["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    assert everything["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}
    quote = [m for m in limited if m["ThrottlingRateLimit"] == {"Ref": "QuoteRateLimit"}]
    withdrawal = [m for m in limited if m["ThrottlingRateLimit"] == {"Ref": "WithdrawalRateLimit"}]
    assert len(quote) + len(withdrawal) == len(limited)
    assert {(m["ResourcePath"], m["HttpMethod"]) for m in withdrawal} == {
        ("/~1v1~1withdrawals", "POST"),
        ("/~1v1~1pages~1withdrawal", "GET"),
        ("/~1v1~1pages~1withdrawal", "POST"),
        ("/~1v1~1pages~1withdrawal~1edit", "POST"),
        ("/~1v1~1pages~1withdrawal~1confirm", "POST"),
    }
    assert all(m["ThrottlingBurstLimit"] == {"Ref": "WithdrawalBurstLimit"} for m in withdrawal)
    assert {(m["ResourcePath"], m["HttpMethod"]) for m in quote} == {
        ("/~1v1~1promise~1quote", "POST"),
        ("/~1v1~1promise~1quote", "GET"),
    }
    assert all(m["ThrottlingRateLimit"] == {"Ref": "QuoteRateLimit"} for m in quote)
    access = api["AccessLogSetting"]
    assert access["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert json.loads(access["Format"])["requestId"] == "$context.requestId"
    assert resources["ApiAccessLogGroup"]["Properties"]["RetentionInDays"] > 0


def test_a_function_without_an_entry_in_the_functions_table_fails_the_build() -> None:
    # Given Chalice's package with one more function than infra/functions.py knows
    chalice = json.loads((chalice_template("prod") / "sam.json").read_text())
    extended = copy.deepcopy(chalice)
    extended["Resources"]["UnlistedFunction"] = copy.deepcopy(chalice["Resources"]["RelayOutbox"])

    with pytest.raises(build.MissingRole, match="UnlistedFunction"):
        build.build(extended, "prod")


# Run where nothing else built an app (Chalice registers a blueprint on one app per process):
# resolve each Handler as Lambda does, and say whether it is the app's registered handler.
RESOLVE = """
import importlib, json, sys
from chalice.app import EventSourceHandler
from chalice.utils import to_cfn_resource_name

handlers = json.loads(sys.argv[1])
resolved = {}
for function, handler in handlers.items():
    module, attribute = handler.rsplit(".", 1)
    found = getattr(importlib.import_module(module), attribute)
    event = isinstance(found, EventSourceHandler)
    # Counted before this script imports app itself: only what the Handler's import bound.
    middleware = len(list(found.middleware_handlers)) if event else 0
    resolved[function] = {"event": event, "middleware": middleware}
import app
names = {to_cfn_resource_name(name): name for name in app.app.handler_map}
for function, handler in handlers.items():
    module, attribute = handler.rsplit(".", 1)
    found = getattr(importlib.import_module(module), attribute)
    registered = app.app.handler_map.get(names.get(function, ""))
    resolved[function]["registered"] = found is registered
print(json.dumps({"resolved": resolved, "event_handlers": sorted(app.EVENT_HANDLERS)}))
"""


@pytest.mark.parametrize("stage", STAGES)
def test_every_event_function_enters_through_the_app_so_its_middleware_runs(stage: str) -> None:
    # chalice issue #1566: a blueprint's handler has the app's middleware only once the app
    # registered it, and Lambda imports just the module its Handler names.
    packaged = functions(template(stage)["Resources"])
    handlers = {name: function["Handler"] for name, function in packaged.items()}

    done = subprocess.run(
        [sys.executable, "-c", RESOLVE, json.dumps(handlers)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    found = json.loads(done.stdout)

    events = {name for name, kind in found["resolved"].items() if kind["event"]}
    assert {"RelayOutbox", "ProjectCounters", "SendNotifications", "SweepDueOrders"} <= events
    assert len(events) == len(found["event_handlers"])  # every event handler of the app
    for name in events:
        assert handlers[name].startswith("app."), name
        assert found["resolved"][name]["registered"], name  # the handler the app bound
        assert found["resolved"][name]["middleware"] >= 4, name  # logger, tracer, metrics
    # Chalice applies no middleware to authorizers: the merchant's stays light, in its module.
    assert handlers["Merchant"] == "chalicelib.api.auth.merchant_authorizer"
    assert handlers["APIHandler"] == "app.app"
