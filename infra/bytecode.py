"""Bytecode in the deployment zip, for the modules the functions' cold starts import.

Lambda's deployment directory is read-only, so without bytecode every cold start compiles each
module it imports from source: 3.3–5.2 times the cold start with bytecode (docs/performance.md).
Bytecode of everything the zip holds would take it to 13.8 MB; the modules the functions import
take less, and go in by how many functions import them (`app` and its modules for every
function, then boto3 and a client, then the rest of the first answers), while the zip stays
within its size limit.

The files are unchecked-hash bytecode (PEP 552): Python loads them without comparing them with
the sources, which never change inside a deployed zip. They are written for the interpreter
that builds the package, whose version must be the functions' runtime: another Python would
look for another file name and compile as before.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import marshal
import os
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from infra.slim import BOTOCORE_SERVICES

ROOT = Path(__file__).resolve().parent.parent
LIMIT_BYTES = 10_000_000  # the project's limit for the deployment zip (docs/deploy.md)
TAG = sys.implementation.cache_tag  # e.g. cpython-311
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked

# What a cold start imports, in a fresh process, in three stages: the app (every function enters
# through it); boto3 and a client per service the functions call (every function but a quote
# without learned windows); then the project's modules behind the first answers and the
# packaged rules with their holiday calendars. No AWS call is made.
PROBE = """
import importlib, json, pkgutil, sys
stages = []
import app
stages.append(list(sys.modules))
import boto3
for service in {services}:
    boto3.client(service, region_name="eu-central-1")
stages.append(list(sys.modules))
import chalicelib
for info in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
    importlib.import_module(info.name)
from chalicelib.config.loader import load_config
load_config()
stages.append(list(sys.modules))
print(json.dumps(stages))
"""


def runtime_version(template: dict[str, object]) -> str:
    """The functions' Python runtime ("python3.11") from the packaged template."""
    resources = template["Resources"]
    assert isinstance(resources, dict)
    runtimes = {
        r["Properties"]["Runtime"]
        for r in resources.values()
        if r.get("Type") == "AWS::Serverless::Function"
    }
    if len(runtimes) != 1:
        raise ValueError(f"expected one runtime for every function, found {sorted(runtimes)}")
    return str(runtimes.pop())


def cold_start_modules() -> list[str]:
    """Module names a cold start imports, stage by stage (PROBE), each stage in import order."""
    probe = PROBE.format(services=sorted(BOTOCORE_SERVICES))
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-central-1"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    stages: list[list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    # Each stage lists every module loaded so far: the first occurrence keeps the earliest stage.
    return list(dict.fromkeys(name for stage in stages for name in stage))


def source_files(module: str) -> tuple[str, str]:
    """The two places a module's source may sit in the zip: a module file or a package's
    __init__."""
    path = module.replace(".", "/")
    return f"{path}.py", f"{path}/__init__.py"


def bytecode_name(source: str) -> str:
    """`pkg/mod.py` → `pkg/__pycache__/mod.cpython-311.pyc`, where Python looks for it."""
    folder, _, file = source.rpartition("/")
    cached = f"__pycache__/{file[: -len('.py')]}.{TAG}.pyc"
    return f"{folder}/{cached}" if folder else cached


def bytecode(source: bytes, name: str) -> bytes:
    code = compile(source, name, "exec", dont_inherit=True)
    header = importlib.util.MAGIC_NUMBER + UNCHECKED_HASH.to_bytes(4, "little")
    return header + importlib.util.source_hash(source) + marshal.dumps(code)


def add_bytecode(archive: Path, modules: Iterable[str], limit: int = LIMIT_BYTES) -> int:
    """Add bytecode of `modules` (those whose source the zip holds) to `archive`, in order,
    while the zip stays within `limit` bytes; the number of files added."""
    staged = archive.with_suffix(".bytecode.zip")
    added = 0
    # The strongest compression: the bytes it saves carry more bytecode.
    with (
        zipfile.ZipFile(archive) as zin,
        zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout,
    ):
        held = set(zin.namelist())
        for info in zin.infolist():
            # A copy: writing records the new archive's offsets and sizes on the ZipInfo given.
            copied = copy.copy(info)
            data = zin.read(info)
            zout.writestr(copied, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        # Central directory and local headers: about twice the name plus 76 bytes per file.
        size = sum(i.compress_size + 2 * len(i.filename) + 76 for i in zout.infolist()) + 22
        for module in dict.fromkeys(modules):
            source = next((s for s in source_files(module) if s in held), None)
            if source is None or bytecode_name(source) in held:
                continue
            name = bytecode_name(source)
            data = bytecode(zin.read(source), source)
            cost = _deflated_size(data) + 2 * len(name) + 76
            if size + cost > limit:
                break  # the rest come later in a cold start: they would pay less
            info = zipfile.ZipInfo(name, date_time=zin.getinfo(source).date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = zin.getinfo(source).external_attr
            zout.writestr(info, data, compresslevel=9)
            size += cost
            added += 1
    staged.replace(archive)
    return added


def check_runtime(runtime: str) -> None:
    """Bytecode is only read by the Python that wrote it: the build's must be the runtime."""
    building = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if building != runtime:
        raise SystemExit(f"bytecode for {runtime} needs that Python to build; this is {building}")


def _deflated_size(data: bytes) -> int:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return len(compressor.compress(data) + compressor.flush())
