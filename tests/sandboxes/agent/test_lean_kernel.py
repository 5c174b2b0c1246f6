"""The lean kernel keeps IPython's semantics: what a cell outputs is what ipykernel would give.

Each test runs cells in a real sandbox and checks the nbformat outputs the agent returns:
results with execution counts, rich display, streams in order, tracebacks as error outputs,
magics, output from below Python, clear_output, interrupts, and exit().
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from grader.execution import CellRun
from sandboxes.docker_sandbox import DockerSandbox, DockerSandboxFactory
from sandboxes.limits import SandboxLimits
from tests.conftest import SANDBOX_IMAGE

pytestmark = pytest.mark.docker
_names = itertools.count()
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def sandbox(docker_client: Any) -> Iterator[DockerSandbox]:
    limits = SandboxLimits(image=SANDBOX_IMAGE, memory_mb=512)
    factory = DockerSandboxFactory(docker_client, limits, worker=f"test-lean-{next(_names)}")
    with factory.open() as opened:
        yield opened


def run(sandbox: DockerSandbox, code: str, timeout: float = 20) -> CellRun:
    return sandbox.run_cell(code, timeout=timeout)


def texts(run: CellRun, name: str = "stdout") -> str:
    return "".join(o["text"] for o in run.outputs if o["output_type"] == "stream" and o["name"] == name)


def test_a_cell_value_is_an_execute_result_with_its_count(sandbox: DockerSandbox) -> None:
    first = run(sandbox, "21 * 2")
    second = run(sandbox, "'x' * 3")
    assert first.status == "ok" and second.status == "ok"
    [result] = second.outputs
    assert result["output_type"] == "execute_result" and result["data"]["text/plain"] == "'xxx'"
    assert result["execution_count"] == first.outputs[0]["execution_count"] + 1
    assert run(sandbox, "42;").outputs == ()  # a trailing semicolon hides the value, as in Jupyter


def test_in_and_out_history_and_underscore(sandbox: DockerSandbox) -> None:
    run(sandbox, "6 * 7")
    out = run(sandbox, "print(_, In[-2].strip(), type(Out).__name__)")
    assert texts(out).split() == ["42", "6", "*", "7", "dict"]


def test_rich_display_and_streams_keep_their_order(sandbox: DockerSandbox) -> None:
    out = run(
        sandbox,
        "from IPython.display import display, HTML\nprint('before')\ndisplay(HTML('<b>bold</b>'))\nprint('after')",
    )
    kinds = [(o["output_type"], o.get("text") or o.get("data", {}).get("text/html")) for o in out.outputs]
    assert kinds == [("stream", "before\n"), ("display_data", "<b>bold</b>"), ("stream", "after\n")]


def test_an_exception_is_an_error_output_with_a_traceback(sandbox: DockerSandbox) -> None:
    out = run(sandbox, "def f():\n    raise ValueError('bad input')\nf()")
    assert out.status == "error"
    [error] = [o for o in out.outputs if o["output_type"] == "error"]
    assert (error["ename"], error["evalue"]) == ("ValueError", "bad input")
    plain = ANSI.sub("", "\n".join(error["traceback"]))  # coloured, as ipykernel's are
    assert "----> 3 f()" in plain and "ValueError: bad input" in plain


def test_syntax_errors_and_assertions_fail_the_cell(sandbox: DockerSandbox) -> None:
    assert run(sandbox, "def broken(:\n    pass").status == "error"
    assert run(sandbox, "assert 1 == 2, 'nope'").outputs[-1]["evalue"] == "nope"


def test_magics_and_stderr_work_as_in_ipython(sandbox: DockerSandbox) -> None:
    out = run(sandbox, "%%capture captured\nprint('hidden')")
    assert out.status == "ok" and texts(out) == ""
    assert texts(run(sandbox, "print(captured.stdout.strip())")).strip() == "hidden"
    assert texts(run(sandbox, "import sys\nprint('oops', file=sys.stderr)"), "stderr") == "oops\n"
    assert "Wall time" in texts(run(sandbox, "%time sum(range(10))"))


def test_output_from_below_python_is_kept(sandbox: DockerSandbox) -> None:
    out = run(sandbox, "import os\nos.system('echo from-the-shell; echo to-stderr >&2')")
    assert "from-the-shell" in texts(out) and "to-stderr" in texts(out, "stderr")


def test_output_from_below_python_stays_with_its_own_cell(sandbox: DockerSandbox) -> None:
    """The cell's end and its last stderr line can arrive in one read; neither may be lost or moved."""
    for n in range(15):
        out = run(sandbox, f"import os\nos.system('echo out-{n}')\nos.write(2, b'err-{n}\\n')")
        assert f"out-{n}" in texts(out) and texts(out, "stderr") == f"err-{n}\n", n


def test_clear_output_clears_what_came_before(sandbox: DockerSandbox) -> None:
    out = run(sandbox, "from IPython.display import clear_output\nprint('old')\nclear_output()\nprint('new')")
    assert texts(out) == "new\n"


def test_an_interrupted_cell_is_a_timeout_and_the_kernel_lives_on(sandbox: DockerSandbox) -> None:
    run(sandbox, "kept = 'state'")
    out = run(sandbox, "while True:\n    pass", timeout=1)
    assert out.status == "timeout"
    assert texts(run(sandbox, "print(kept)")).strip() == "state"


def test_an_interrupted_cells_traceback_shows_only_the_learners_code(sandbox: DockerSandbox) -> None:
    """The learner sees where their loop was stopped, not the kernel's interrupt handler."""
    out = run(sandbox, "total = 0\nwhile True:\n    total += 1", timeout=1)
    [error] = [o for o in out.outputs if o["output_type"] == "error"]
    plain = ANSI.sub("", "\n".join(error["traceback"]))
    assert "/opt/agent" not in plain and "on_interrupt" not in plain
    assert "Cell In[" in plain and "KeyboardInterrupt" in plain


def test_exit_in_a_cell_ends_the_kernel_like_ipykernel(docker_client: Any) -> None:
    limits = SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256)
    with DockerSandboxFactory(docker_client, limits, worker=f"test-lean-{next(_names)}").open() as fresh:
        assert run(fresh, "exit()").status == "ok"
        assert run(fresh, "print('after')").status == "dead"
        assert texts(run(fresh, "print('restarted')")).strip() == "restarted"


def test_a_restart_also_ends_what_the_cells_started(docker_client: Any) -> None:
    limits = SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256)
    with DockerSandboxFactory(docker_client, limits, worker=f"test-lean-{next(_names)}").open() as fresh:
        run(fresh, "import subprocess\nchild = subprocess.Popen(['sleep', '300'])")
        fresh.restart()
        out = run(
            fresh,
            "import os\nprint(sum(1 for p in os.listdir('/proc') if p.isdigit() and"
            " open(f'/proc/{p}/cmdline').read().startswith('sleep')))",
        )
        assert texts(out).strip() == "0", "a process started by a cell outlived its kernel"
