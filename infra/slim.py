"""The deployment zip without what no function reads: botocore's models of the ~400 AWS services
the code never calls make two thirds of the zip (16 of 23 MB). boto3 stays the pinned version;
only its data files for other services go."""

from __future__ import annotations

import zipfile
from pathlib import Path

# Every service the functions create a client for (chalicelib/deps.py) or Powertools reads through
# (Parameters: Secrets Manager, SSM). tests/unit/deploy/test_slim.py keeps this list complete.
BOTOCORE_SERVICES = frozenset({"dynamodb", "sqs", "sesv2", "sns", "secretsmanager", "ssm"})
_MODELS = "botocore/data/"


def kept(name: str) -> bool:
    if not name.startswith(_MODELS):
        return True
    rest = name[len(_MODELS) :]
    # Files directly under data/ (endpoints, partitions, retry and default configuration) stay.
    return "/" not in rest or rest.split("/", 1)[0] in BOTOCORE_SERVICES


def slim(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            if kept(info.filename):
                zout.writestr(info, zin.read(info), compress_type=zipfile.ZIP_DEFLATED)
