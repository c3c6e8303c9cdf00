"""Each stage's template as `make package` builds it, made once per test process.

`chalice package` runs on a copy of the project without third-party requirements, so that no
wheel is downloaded: the template is the same, only the deployment zip is smaller.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STAGES = ("dev", "prod")
_WORK = tempfile.TemporaryDirectory(prefix="pk-package-")  # removed when the process exits


@cache
def chalice_template(stage: str) -> Path:
    """Chalice's own package of the stage (before infra.build): the directory holding sam.json."""
    project = Path(_WORK.name) / stage / "project"
    project.mkdir(parents=True)
    for part in ("app.py", "chalicelib", ".chalice", "infra"):
        source = ROOT / part
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, project / part)
    (project / "requirements.txt").write_text("")
    out = project.parent / "chalice"
    subprocess.run(
        [BIN / "chalice", "package", "--stage", stage, "--merge-template",
         "infra/resources.json", str(out)],
        cwd=project, env={**os.environ, "AWS_DEFAULT_REGION": "eu-central-1"},
        check=True, capture_output=True,
    )  # fmt: skip
    return out


@cache
def packaged(stage: str) -> Path:
    """dist/<stage>/sam.json as `make package STAGE=<stage>` writes it."""
    out = Path(_WORK.name) / stage / "dist"
    subprocess.run(
        [sys.executable, "-m", "infra.build", stage, str(chalice_template(stage)), str(out)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return out / "sam.json"


def template(stage: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(packaged(stage).read_text())
    return document
