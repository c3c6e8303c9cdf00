"""The deployable package: `chalice package` with infra/ merged in passes cfn-lint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def package(tmp_path: Path) -> dict[str, Any]:
    """`chalice package` of a copy of the project without third-party requirements, so that no
    wheel is downloaded: the template is the same, only deployment.zip is smaller."""
    project = tmp_path / "project"
    project.mkdir()
    for part in ("app.py", "chalicelib", ".chalice", "infra"):
        source = ROOT / part
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, project / part)
    (project / "requirements.txt").write_text("")
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-central-1"}
    out = tmp_path / "out"
    subprocess.run(
        [BIN / "chalice", "package", "--stage", "prod", "--merge-template",
         "infra/resources.json", str(out)],
        cwd=project, env=env, check=True, capture_output=True,
    )  # fmt: skip
    lint = subprocess.run([BIN / "cfn-lint", str(out / "sam.json")], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    template: dict[str, Any] = json.loads((out / "sam.json").read_text())
    return template


def test_package_merges_infra_and_lints_clean(tmp_path: Path) -> None:
    resources = package(tmp_path)["Resources"]
    # The sender answers batchItemFailures: Lambda must be told to read them (Chalice does not).
    sender = resources["SendNotifications"]["Properties"]
    sqs = sender["Events"]["SendNotificationsSqsEventSource"]["Properties"]
    assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sender["Environment"]["Variables"]["PK_NOTIFICATIONS_QUEUE_URL"] == {
        "Ref": "NotificationsQueue"
    }
    # The relay reads the table's own stream, from the oldest record, retrying until it expires.
    relay = resources["RelayOutbox"]["Properties"]["Events"]["RelayOutboxDynamodbEventSource"]
    assert relay["Properties"]["Stream"] == {"Fn::GetAtt": ["PromiseKeeperTable", "StreamArn"]}
    assert relay["Properties"]["StartingPosition"] == "TRIM_HORIZON"
    assert relay["Properties"]["MaximumRetryAttempts"] == -1  # until the record expires (24 h)
    failures = relay["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert failures == {"Fn::GetAtt": ["OutboxRelayFailureQueue", "Arn"]}
    # SQS's visibility timeout must cover a whole batch's run (AWS asks for 6× the timeout).
    queue = resources["NotificationsQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * sender["Timeout"]
    assert resources["PromiseKeeperTable"]["Type"] == "AWS::DynamoDB::Table"
    denied = resources["GatewayResponseAccessDenied"]["Properties"]
    assert denied["StatusCode"] == "401"
    assert denied["RestApiId"] == {"Ref": "RestAPI"}
    assert "application/problem+json" in json.dumps(denied["ResponseParameters"])
