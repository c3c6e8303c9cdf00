"""Alarms that reach someone: every alarm notifies the operations topic, which e-mails the
address given at deploy time (parameter OperationsEmail). docs/deploy.md says what each means."""

from __future__ import annotations

from typing import Any

TOPIC = "OperationsTopic"
ITERATOR_AGE_MS = 5 * 60 * 1000  # a stream record waiting 5 minutes: the relay is falling behind
API_5XX_RATE = 0.01  # 1 % of requests answered 5xx over 5 minutes
QUOTE_P99_MS = 1000


def topic() -> dict[str, Any]:
    # Not KMS-encrypted: CloudWatch can publish to an encrypted topic only with a customer-managed
    # key whose policy admits it (the AWS-managed SNS key does not); see the checkov skip list.
    return {
        TOPIC: {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "Promise Keeper ops"}},
        "OperationsEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": TOPIC},
                "Protocol": "email",
                "Endpoint": {"Ref": "OperationsEmail"},
            },
        },
    }


def alarm(
    description: str,
    namespace: str,
    metric: str,
    dimensions: dict[str, Any],
    threshold: float,
    statistic: str = "Sum",
    periods: int = 1,
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "AlarmDescription": description,
        "Namespace": namespace,
        "MetricName": metric,
        "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions.items()],
        "Period": 300,
        "EvaluationPeriods": periods,
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": TOPIC}],
        "OKActions": [{"Ref": TOPIC}],
    }
    if statistic.startswith("p"):
        props["ExtendedStatistic"] = statistic
    else:
        props["Statistic"] = statistic
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": props}


def queue_not_empty(queue: str, description: str) -> dict[str, Any]:
    dimensions = {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}}
    return alarm(
        description, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dimensions, 0, "Maximum"
    )


def function_alarms(function: str, reads_stream: bool) -> dict[str, dict[str, Any]]:
    dimensions = {"FunctionName": {"Ref": function}}
    out = {
        f"{function}ErrorsAlarm": alarm(
            f"{function} raised errors: read its log group, fix, redeploy (docs/deploy.md)",
            "AWS/Lambda",
            "Errors",
            dimensions,
            0,
        ),
        f"{function}ThrottlesAlarm": alarm(
            f"{function} was throttled: account concurrency exhausted or its reserve too small",
            "AWS/Lambda",
            "Throttles",
            dimensions,
            0,
        ),
    }
    if reads_stream:
        out[f"{function}IteratorAgeAlarm"] = alarm(
            f"{function} is more than 5 minutes behind the table's stream",
            "AWS/Lambda",
            "IteratorAge",
            dimensions,
            ITERATOR_AGE_MS,
            "Maximum",
        )
    return out


def api_alarms(api_name: str, stage: str) -> dict[str, dict[str, Any]]:
    dimensions = {"ApiName": api_name, "Stage": stage}
    quote = {**dimensions, "Resource": "/v1/promise/quote", "Method": "POST"}
    return {
        "Api5xxRateAlarm": alarm(
            "More than 1% of API requests answered 5xx for 10 minutes",
            "AWS/ApiGateway",
            "5XXError",
            dimensions,
            API_5XX_RATE,
            "Average",
            periods=2,
        ),
        "QuoteLatencyP99Alarm": alarm(
            "The delivery-promise quote's p99 latency is above 1 s for 10 minutes",
            "AWS/ApiGateway",
            "Latency",
            quote,
            QUOTE_P99_MS,
            "p99",
            periods=2,
        ),
    }
