"""The project's own files agree with each other."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from devstack.resources import queue_names, table_name

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def test_requirements_txt_lists_exactly_the_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert _requirements() == sorted(project["dependencies"])


def test_every_dependency_is_pinned() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dev = pyproject["dependency-groups"]["dev"]

    for requirement in [*_requirements(), *dev]:
        assert "==" in requirement, requirement


def test_chalice_config_names_the_table_that_infra_deploys() -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())

    assert config["environment_variables"]["PK_TABLE_NAME"] == table_name()


def test_notifications_queue_has_a_dead_letter_queue_after_five_receives() -> None:
    resources = json.loads((ROOT / "infra" / "resources.json").read_text())["Resources"]
    redrive = resources["NotificationsQueue"]["Properties"]["RedrivePolicy"]

    assert redrive["maxReceiveCount"] == 5
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["NotificationsDeadLetterQueue", "Arn"]}
    assert set(queue_names().values()) == {
        "promise-keeper-notifications",
        "promise-keeper-notifications-dlq",
        "promise-keeper-notifications-relay-failures",
        "promise-keeper-counters-projection-failures",
    }


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make run" in (ROOT / "README.md").read_text()


def test_importing_the_app_leaves_heavy_modules_for_first_use() -> None:
    """The cold-start budget (docs/performance.md): boto3, templates, the tracking adapters and
    the holiday calendars load with the first request that needs them, not with every container."""
    heavy = [
        "boto3",
        "botocore.client",
        "jinja2",
        "holidays",
        "aws_xray_sdk",
        "aws_lambda_powertools.utilities.batch",
        "chalicelib.domain.tracking",
        "chalicelib.domain.notifications",
        "chalicelib.domain.signing",
        "chalicelib.domain.feedback",
        # Only the quote's models load with the app; every other route's with its first request.
        "chalicelib.models.orders",
        "chalicelib.models.returns",
        "chalicelib.models.feedback",
        "chalicelib.models.accuracy",
        "chalicelib.services",
        "chalicelib.store",
        "chalicelib.config",
        "chalicelib.channels",
    ]
    probe = (
        "import json, sys; import app; "
        f"print(json.dumps([h for h in {heavy!r} "
        "if any(m == h or m.startswith(h + '.') for m in sys.modules)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []


def test_importing_the_app_builds_no_api_model_validator() -> None:
    """The public models' validators are built by the first request that uses them: the queue,
    stream and schedule functions import the quote's models with `app` and validate none, and
    importing every other model module builds none either."""
    probe = (
        "import importlib, json, pkgutil; import app; import chalicelib.models as models\n"
        "for info in pkgutil.iter_modules(models.__path__):\n"
        "    importlib.import_module(f'chalicelib.models.{info.name}')\n"
        "from chalicelib.models.base import ApiModel\n"
        "def every(cls):\n"
        "    for sub in cls.__subclasses__():\n"
        "        yield sub\n"
        "        yield from every(sub)\n"
        "print(json.dumps({'models': len(list(every(ApiModel))),\n"
        "    'built': sorted({m.__name__ for m in every(ApiModel) if m.__pydantic_complete__})}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout)
    assert found["models"] > 20  # every public model derives from ApiModel
    assert found["built"] == []


def test_the_readme_stays_an_entry_point() -> None:
    """Figures live in docs/performance.md and history in CHANGELOG.md; the README is the door."""
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250
    assert (ROOT / "docs" / "performance.md").is_file()
    assert (ROOT / "CHANGELOG.md").is_file()


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    settings = (ROOT / "chalicelib" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r'"(PK_[A-Z0-9_]+?)_?"', settings))
    assert names, "no PK_ setting found"
    assert sorted(n for n in names if f"`{n}" not in readme) == []
