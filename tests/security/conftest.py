"""The security suite runs every hostile notebook on runc and on gVisor (runsc).

Each test grades a notebook through the real sandbox path and then checks the host: no
container of this test's worker label is left behind, and the engine still answers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.assignment import Assignment, build_assignment
from grader.execution import Budget
from grader.report import GradeReport
from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.limits import SANDBOX_UID, SandboxLimits
from tests.builders import learner_files, make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.conftest import SANDBOX_IMAGE
from worker.sandbox_grading import grade_in_sandbox

_names = itertools.count()
HIDDEN_LITERAL = "HIDDEN_LITERAL_93517"
SQUARE_TESTS = (
    make_test_cell("visible", "assert square(3) == 9", points=1),
    make_test_cell(
        "hidden",
        "assert square(2) == 4\n### BEGIN HIDDEN TESTS\n"
        f"assert square(12) == 144, '{HIDDEN_LITERAL}'\n### END HIDDEN TESTS",
        points=2,
    ),
)
WRONG = "def square(x):\n    return x + 1"
RIGHT = "def square(x):\n    return x * x"


@dataclass
class Outcome:
    report: GradeReport
    feedback: str

    def cell(self, grade_id: str) -> Any:
        return next(c for c in self.report.cells if c.grade_id == grade_id)

    @property
    def scores(self) -> dict[str, float | None]:
        return {c.grade_id: c.score for c in self.report.cells}


@dataclass
class Grader:
    factory: DockerSandboxFactory
    budget: Budget

    def grade(self, assignment: Assignment, files: Mapping[str, bytes]) -> Outcome:
        result = grade_in_sandbox("security", assignment, files, self.factory, self.budget)
        return Outcome(result.graded.report, result.graded.feedback_html)

    def grade_square(self, answer: str, *extra_tests: Any, in_process: bool = False) -> Outcome:
        """The square task: ``answer`` is the learner's answer cell, hostile or not.

        ``in_process``: the assignment chose the weaker mode, tests in the learner's kernel.
        """
        assignment = square_assignment(*extra_tests, in_process=in_process)
        return self.grade(assignment, learner_files(assignment, {"square": answer}))


def square_assignment(*extra_tests: Any, in_process: bool = False) -> Assignment:
    nb = make_notebook(make_answer_cell("square", RIGHT), *SQUARE_TESTS, *extra_tests)
    if in_process:
        nb.metadata["autograde"] = {"judge": "in-process"}
    return build_assignment({"hw.ipynb": to_bytes(nb)})


@pytest.fixture(params=["runc", pytest.param("runsc", marks=pytest.mark.gvisor)])
def grader(request: pytest.FixtureRequest, docker_client: Any) -> Iterator[Grader]:
    worker = f"security-{request.param}-{next(_names)}"
    limits = SandboxLimits(image=SANDBOX_IMAGE, runtime=request.param, memory_mb=512, pids=64, nofile=256)
    yield Grader(
        DockerSandboxFactory(docker_client, limits, worker=worker),
        Budget(cell_timeout=5, notebook_timeout=90),
    )
    left = docker_client.containers.list(all=True, filters={"label": f"autograde.worker={worker}"})
    assert left == [], "a sandbox container was left behind"
    assert docker_client.ping()
    assert learner_processes_on_host() == [], "a process of the sandbox user outlived its container"


def learner_processes_on_host() -> list[int]:
    """Host processes of the sandbox's learner uid started from the sandbox image's files.

    Under runc sandbox processes are host processes; the image path in the command line
    tells them from any unrelated host user who happens to have the same uid.
    """
    stray = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # the process ended while we looked
        uid_line = next((line for line in status.splitlines() if line.startswith("Uid:")), "")
        from_image = b"/opt/sandbox/" in command or b"/opt/agent/" in command
        if uid_line.split()[1:2] == [str(SANDBOX_UID)] and from_image:
            stray.append(int(entry.name))
    return stray
