"""`make mail` reads the stack `make run` started, or the one it is pointed at, and says which."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from devstack import mailbox, registry
from tests.integration.conftest import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(registry, "STATE_DIR", tmp_path)
    return tmp_path


def port_of(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def test_it_reads_the_running_stack_on_its_own_port(
    notes: Path, embedded_aws: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a stack running on ports other than the defaults (this process stands in for it)
    aws_port = port_of(embedded_aws["endpoint"])
    registry.announce(api_port=8010, aws_port=aws_port)

    assert mailbox.main() == 0

    out = capsys.readouterr().out
    assert out.startswith(f"Reading the local stack at http://127.0.0.1:{aws_port} (make run")
    assert f"pid {os.getpid()}, API on port 8010" in out
    assert "0 e-mail(s), 0 SMS sent by the local stack." in out


def test_the_most_recent_of_several_stacks_is_read_and_the_others_named(notes: Path) -> None:
    older = registry.announce(api_port=8001, aws_port=4001)
    older.rename(notes / "stack-older.json")  # the same live pid, started earlier
    registry.announce(api_port=8002, aws_port=4002)

    port, why = mailbox.stack_to_read()

    assert port == 4002
    assert "the most recent of 2, the others on 4001" in why


def test_a_stack_that_died_without_stopping_is_forgotten(notes: Path) -> None:
    note = registry.announce(api_port=8003, aws_port=4003)
    note.write_text(note.read_text().replace(f'"pid": {os.getpid()}', '"pid": 999999999'))

    assert registry.running() == []
    assert not note.exists()


def test_the_port_named_in_the_environment_wins_and_a_silent_one_says_how_to_point_elsewhere(
    notes: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.announce(api_port=8004, aws_port=4004)
    nobody = free_port()
    monkeypatch.setenv("PK_LOCAL_AWS_PORT", str(nobody))
    monkeypatch.setattr("devstack.environment.AWS_PORT", nobody)

    assert mailbox.main() == 1

    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{nobody} (PK_LOCAL_AWS_PORT)" in out
    assert "PK_LOCAL_AWS_PORT=<its AWS port> make mail" in out
