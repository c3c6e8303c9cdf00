"""The API function prepares its first quote in Lambda's init phase; no other importer of `app`
loads more than it did (tests/unit/test_project.py holds the rest of the cold-start budget)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, sys; import app; from chalicelib import deps; "
    "print(json.dumps({'rules': 'chalicelib.config.loader' in sys.modules, "
    "'quote_service_held': deps._held is not None}))"
)


def import_app(**environ: str) -> dict[str, bool]:
    env = {k: v for k, v in os.environ.items() if k != "_HANDLER"}
    env.update(PK_LEARNED_WINDOWS="false", PK_TOKEN_SECRET="init-test-secret", **environ)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    found: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_api_function_loads_its_first_quote_while_app_is_imported() -> None:
    assert import_app(_HANDLER="app.app") == {"rules": True, "quote_service_held": True}


@pytest.mark.parametrize("handler", [None, "app.relay_outbox", "app.send_notifications"])
def test_every_other_function_and_the_tests_import_app_as_before(handler: str | None) -> None:
    environ = {"_HANDLER": handler} if handler else {}

    assert import_app(**environ) == {"rules": False, "quote_service_held": False}
