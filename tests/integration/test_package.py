"""The deployable package: `chalice package` with infra/ merged in passes cfn-lint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_package_merges_infra_and_lints_clean(tmp_path: Path) -> None:
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-central-1"}
    subprocess.run(
        [BIN / "chalice", "package", "--stage", "prod", "--merge-template",
         "infra/resources.json", str(tmp_path)],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    lint = subprocess.run(
        [BIN / "cfn-lint", str(tmp_path / "sam.json")], capture_output=True, text=True
    )

    assert lint.returncode == 0, lint.stdout
    resources = json.loads((tmp_path / "sam.json").read_text())["Resources"]
    assert resources["PromiseKeeperTable"]["Type"] == "AWS::DynamoDB::Table"
    denied = resources["GatewayResponseAccessDenied"]["Properties"]
    assert denied["StatusCode"] == "401"
    assert denied["RestApiId"] == {"Ref": "RestAPI"}
    assert "application/problem+json" in json.dumps(denied["ResponseParameters"])
