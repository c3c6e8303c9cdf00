"""Which local stacks are running here: `make run` notes its ports, `make mail` finds them.

Each running stack keeps a small file in .devstack/ (ignored by git) while it runs; a file whose
process has gone (killed, crashed) is ignored and removed when read.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

STATE_DIR = Path(__file__).resolve().parent.parent / ".devstack"


@dataclass(frozen=True)
class RunningStack:
    pid: int
    api_port: int
    aws_port: int
    started: float


def announce(api_port: int, aws_port: int) -> Path:
    """Note this process as a running stack; returns the note to withdraw on stop."""
    STATE_DIR.mkdir(exist_ok=True)
    note = STATE_DIR / f"stack-{os.getpid()}.json"
    stack = RunningStack(os.getpid(), api_port, aws_port, time.time())
    note.write_text(json.dumps(asdict(stack)))
    return note


def withdraw(note: Path) -> None:
    note.unlink(missing_ok=True)


def running() -> list[RunningStack]:
    """The stacks running now, the most recently started first."""
    found = []
    for note in STATE_DIR.glob("stack-*.json"):
        try:
            stack = RunningStack(**json.loads(note.read_text()))
        except (OSError, ValueError, TypeError):
            continue
        if _alive(stack.pid):
            found.append(stack)
        else:
            note.unlink(missing_ok=True)
    return sorted(found, key=lambda s: s.started, reverse=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
