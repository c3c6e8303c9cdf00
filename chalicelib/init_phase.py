"""The API function's init phase prepares the first quote.

Lambda runs a function's module imports (its init phase) with a full vCPU whatever the memory
size, and before any request when the function has provisioned concurrency; the first request
runs at the memory's share of a vCPU (1,024 of 1,769 MB for the API). So the API function, and
only it, loads what the first quote needs while `import app` runs: the promise rules and the
token secret in the init thread, and, in a thread beside it, the DynamoDB client and the learned
lanes' snapshot (one item), whose network wait overlaps the rules' loading. Init waits for both.

Everywhere else `import app` stays small (tests/unit/test_project.py): the queue, stream and
schedule functions enter through `app` too and need none of it, and neither do the tests or the
local stack. Lambda names each function's handler in ``_HANDLER``; the API's is ``app.app``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

API_HANDLER = "app.app"
READ_WAIT_SECONDS = 3.0  # the snapshot's read, at most: init must not hang on a slow network


def is_api_function(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get("_HANDLER") == API_HANDLER


def prepare_first_quote() -> None:
    """Load the quote's rules, secret, client and learned lanes now. A failure is logged and
    left to the first request, which meets it as before (a missing secret stops it there)."""
    from chalicelib import deps
    from chalicelib.observability import logger
    from chalicelib.settings import get_settings

    reader = None
    if get_settings().learned_windows:
        reader = threading.Thread(target=_read_learned_lanes, name="learned-lanes", daemon=True)
        reader.start()
    try:
        deps.promise_config()
        deps.promise_token_secret()
    except Exception as exc:  # init must not fail where the request would say why
        logger.warning("first quote not prepared in init", error=type(exc).__name__)
    if reader is not None:
        reader.join(READ_WAIT_SECONDS)
    try:
        deps.quote_service()
    except Exception as exc:
        logger.warning("first quote not prepared in init", error=type(exc).__name__)


def _read_learned_lanes() -> None:
    from chalicelib import deps
    from chalicelib.observability import logger

    try:
        deps.learned_lanes().current()  # a failed read is logged by the cache itself
    except Exception as exc:  # e.g. no credentials: the first quote will say
        logger.warning("learned lanes not read in init", error=type(exc).__name__)
