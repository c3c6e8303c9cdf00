"""The deployment zip keeps every botocore model a function reads and drops the others."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from infra.slim import BOTOCORE_SERVICES, slim

ROOT = Path(__file__).resolve().parents[3]


def test_the_zip_keeps_the_models_of_used_services_and_drops_the_rest(tmp_path: Path) -> None:
    # Given a package with the code, botocore's shared data and three service models
    source, target = tmp_path / "in.zip", tmp_path / "out.zip"
    with zipfile.ZipFile(source, "w") as zf:
        for name in (
            "app.py",
            "chalicelib/settings.py",
            "botocore/data/endpoints.json",
            "botocore/data/dynamodb/2012-08-10/service-2.json.gz",
            "botocore/data/sesv2/2019-09-27/service-2.json.gz",
            "botocore/data/ec2/2016-11-15/service-2.json.gz",
        ):
            zf.writestr(name, "x")

    slim(source, target)

    names = set(zipfile.ZipFile(target).namelist())
    assert names == {
        "app.py",
        "chalicelib/settings.py",
        "botocore/data/endpoints.json",
        "botocore/data/dynamodb/2012-08-10/service-2.json.gz",
        "botocore/data/sesv2/2019-09-27/service-2.json.gz",
    }


def test_every_service_the_code_calls_keeps_its_model() -> None:
    # Clients are built in chalicelib/deps.py; Powertools Parameters reads secrets and SSM.
    source = "\n".join(p.read_text() for p in (ROOT / "chalicelib").rglob("*.py"))
    called = set(re.findall(r'client\(\s*"([a-z0-9-]+)"', source))
    if "get_secret(" in source:
        called.add("secretsmanager")
    if "get_parameter(" in source:
        called.add("ssm")

    assert {"dynamodb", "sqs", "sesv2", "sns", "secretsmanager", "ssm"} <= called
    assert called <= BOTOCORE_SERVICES
