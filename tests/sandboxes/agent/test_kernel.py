"""The agent's handle on a lean kernel and its judge, run on the host (as this user, from a
temporary work directory): cells, judged and attested tests, a death and a restart, stop.
The same code inside the sandbox: tests/sandboxes/agent/test_lean_kernel.py (Docker)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandboxes.agent.agent_module import AGENT

if str(AGENT) not in sys.path:
    sys.path.insert(0, str(AGENT))  # the agent's modules import each other by their own names
import judge_link  # noqa: E402
import kernel  # noqa: E402


@pytest.fixture
def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(kernel, "WORKDIR", str(tmp_path))
    monkeypatch.setattr(kernel.Kernel, "_as_learner", lambda self: {})  # uid 1000 may not run this venv
    monkeypatch.setattr(judge_link, "_as_judge", dict)
    made = kernel.Kernel()
    made.start()
    yield made
    made.stop()


def test_cells_run_in_one_namespace_and_a_judged_test_is_verified_or_an_error(started: Any) -> None:
    assert started.guard([])["status"] == "ok"
    ran = started.execute("x = 6 * 7\nprint(x)", 10, False)
    assert ran["status"] == "ok" and ran["outputs"][0]["text"] == "42\n"
    passed = started.execute_test("assert x == 42", 10)
    assert passed["status"] == "ok" and passed["attestation"]["verdict"] == "verified"
    failed = started.execute_test("assert x == 41", 10)
    assert failed["status"] == "error" and failed["attestation"]["verdict"] == "error"


def test_a_kernel_is_guarded_once(started: Any) -> None:
    assert started.guard([])["status"] == "ok"
    assert started.guard(["numpy"]) == {"status": "error", "message": "the kernel is already guarded"}


def test_in_process_tests_are_attested_by_the_kernels_own_hook(started: Any) -> None:
    assert started.guard([], judged=False)["status"] == "ok"
    started.execute("x = 1", 10, False)
    reply = started.execute("assert x == 1", 10, True)
    assert reply["status"] == "ok" and reply["attestation"]["verdict"] == "verified"


def test_a_kernel_that_exits_is_dead_and_the_next_one_starts_clean(started: Any) -> None:
    started.guard([])
    started.execute("x = 1", 10, False)
    dead = started.execute("import os; os._exit(3)", 10, False)
    assert dead["status"] == "dead" and dead["exit_code"] == 3
    assert started.is_alive()
    after = started.execute("print('x' in dir())", 10, False)
    assert after["outputs"][0]["text"] == "False\n"


def gone(pid: int) -> bool:
    """No such process, or only its zombie (killed, waiting for init to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_stop_ends_what_the_cells_started(started: Any) -> None:
    started.guard([])
    reply = started.execute(
        "import subprocess\np = subprocess.Popen(['sleep', '300'])\nprint(p.pid)", 10, False
    )
    child = int(reply["outputs"][0]["text"])
    assert not gone(child)
    started.stop()
    for _ in range(
        200
    ):  # SIGKILL to the group is delivered, not awaited: wait for the state, no timing asserted
        if gone(child):
            break
        time.sleep(0.05)
    assert gone(child)


def test_a_cell_is_never_run_before_the_kernel_is_guarded(started: Any) -> None:
    started.execute("x = 1", 10, False)  # nobody guarded: the agent uses the guard up first
    assert started.guard_modules == []
    assert started.guard(["numpy"], judged=False)["status"] == "error"


def test_a_test_cell_magic_cannot_be_attested(started: Any) -> None:
    started.guard([], judged=False)
    reply = started.execute("%%capture\nassert True", 10, True)
    assert reply["attestation"]["verdict"] == "unverifiable"
