"""The deployable package of each stage: `chalice package` with infra/ merged in and built for the
stage passes cfn-lint and checkov (with the skip list in infra/checkov.yaml)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.integration.packaging import BIN, ROOT, STAGES, packaged, template

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("package")]
# checkov lives in a venv of its own (Makefile: its pins clash with the runtime's).
CHECKOV = ROOT / ".venv" / "checkov" / "bin" / "checkov"


@pytest.mark.parametrize("stage", STAGES)
def test_the_stage_template_passes_cfn_lint(stage: str) -> None:
    lint = subprocess.run([BIN / "cfn-lint", str(packaged(stage))], capture_output=True, text=True)

    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize("stage", STAGES)
def test_the_stage_template_passes_checkov_with_the_documented_skip_list(stage: str) -> None:
    assert CHECKOV.exists(), "checkov is installed by `make test` / `make package`"
    scan = subprocess.run(
        [CHECKOV, "--quiet", "--compact", "--skip-download", "--output", "json",
         "--config-file", str(ROOT / "infra" / "checkov.yaml"), "-f", str(packaged(stage))],
        capture_output=True, text=True,
    )  # fmt: skip
    report = json.loads(scan.stdout)
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]
    assert failed == [] and scan.returncode == 0
    assert report["summary"]["passed"] > 50  # the scan really read the template


def test_every_skipped_check_has_its_reason_written_beside_it() -> None:
    lines = (ROOT / "infra" / "checkov.yaml").read_text().splitlines()
    for number, line in enumerate(lines):
        if line.strip().startswith("- CKV"):
            assert lines[number - 1].strip().startswith(("#", "- CKV")), line


@pytest.mark.parametrize("stage", STAGES)
def test_the_build_names_every_resource_per_stage(stage: str) -> None:
    resources = template(stage)["Resources"]

    assert resources["PromiseKeeperTable"]["Properties"]["TableName"] == f"promise-keeper-{stage}"
    for name in ("NotificationsQueue", "NotificationsDeadLetterQueue", "OutboxRelayFailureQueue"):
        assert resources[name]["Properties"]["QueueName"].startswith(f"promise-keeper-{stage}-")
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    assert {f["Properties"]["Environment"]["Variables"]["PK_SECRETS_NAME"] for f in functions} == {
        f"promise-keeper/{stage}"
    }


@pytest.mark.parametrize("stage", STAGES)
def test_no_function_traces_its_answers(stage: str) -> None:
    # Answers hold customer tokens (registration, the order's view, a replaced token): X-Ray
    # must not keep them as the handler's response metadata.
    resources = template(stage)["Resources"]
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]

    assert functions
    for function in functions:
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"


def test_prod_keeps_its_data_when_the_stack_goes_and_dev_does_not() -> None:
    prod, dev = template("prod")["Resources"], template("dev")["Resources"]

    assert prod["PromiseKeeperTable"]["Properties"]["DeletionProtectionEnabled"] is True
    assert prod["PromiseKeeperTable"]["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }
    for name in ("PromiseKeeperTable", "NotificationsQueue", "NotificationsDeadLetterQueue"):
        assert prod[name]["DeletionPolicy"] == prod[name]["UpdateReplacePolicy"] == "Retain"
        assert dev[name]["DeletionPolicy"] == "Delete"
    assert dev["PromiseKeeperTable"]["Properties"]["DeletionProtectionEnabled"] is False


@pytest.mark.parametrize("stage", STAGES)
def test_the_stage_folder_holds_the_template_and_every_zip_it_names(stage: str) -> None:
    folder = packaged(stage).parent
    functions = [
        r["Properties"]
        for r in template(stage)["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    ]

    for function in functions:
        assert (folder / function["CodeUri"]).is_file(), function["CodeUri"]
