"""The deployment zip carries bytecode of what a cold start imports, within its size limit."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.bytecode import (
    TAG,
    add_bytecode,
    bytecode_name,
    check_runtime,
    cold_start_modules,
)


def a_package(path: Path, modules: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, source in modules.items():
            zf.writestr(name, source)
    return path


def test_python_loads_the_bytecode_without_checking_it_against_the_source(tmp_path: Path) -> None:
    # Given a zip with a package and its module, and their bytecode added
    archive = a_package(
        tmp_path / "deployment.zip", {"pkg/__init__.py": "", "pkg/mod.py": "ANSWER = 42\n"}
    )
    assert add_bytecode(archive, ["pkg", "pkg.mod"]) == 2
    assert {bytecode_name("pkg/__init__.py"), bytecode_name("pkg/mod.py")} <= set(
        zipfile.ZipFile(archive).namelist()
    )

    # When the unpacked source changes behind it (it never does in Lambda: proof of which is read)
    unpacked = tmp_path / "task"
    zipfile.ZipFile(archive).extractall(unpacked)
    (unpacked / "pkg" / "mod.py").write_text("ANSWER = 0\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    done = subprocess.run(
        [sys.executable, "-c", "import pkg.mod; print(pkg.mod.ANSWER)"],
        cwd=unpacked,
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )

    # Then Python ran the bytecode, as it will in the read-only deployment directory
    assert done.stdout.strip() == "42"


def test_bytecode_goes_in_the_order_given_until_the_zip_would_pass_its_limit(
    tmp_path: Path,
) -> None:
    sources = {f"m{i}.py": "".join(f"V{i}_{j} = {j * i}\n" for j in range(400)) for i in range(5)}
    archive = a_package(tmp_path / "deployment.zip", sources)
    limit = archive.stat().st_size + 3_000  # room for some bytecode, not for all

    added = add_bytecode(archive, [f"m{i}" for i in range(5)], limit=limit)

    names = zipfile.ZipFile(archive).namelist()
    assert 0 < added < 5
    assert [n for n in names if n.endswith(".pyc")] == [
        f"__pycache__/m{i}.{TAG}.pyc" for i in range(added)
    ]
    assert archive.stat().st_size <= limit


def test_modules_the_zip_does_not_hold_get_no_bytecode(tmp_path: Path) -> None:
    archive = a_package(tmp_path / "deployment.zip", {"app.py": "x = 1\n"})

    assert add_bytecode(archive, ["json", "app", "chalicelib.api"]) == 1


def test_a_cold_start_imports_the_app_before_boto3_and_the_first_answers_after() -> None:
    modules = cold_start_modules()

    assert modules.index("app") < modules.index("boto3") < modules.index("chalicelib.services")
    assert {"chalicelib.api.promise", "botocore.client", "chalicelib.config.loader"} <= set(modules)


def test_bytecode_is_written_only_by_the_functions_runtime() -> None:
    check_runtime(f"python{sys.version_info.major}.{sys.version_info.minor}")
    with pytest.raises(SystemExit, match="python2.7"):
        check_runtime("python2.7")
