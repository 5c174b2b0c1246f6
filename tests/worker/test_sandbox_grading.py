"""Grading one submission in a sandbox (worker/sandbox_grading.py): one fresh sandbox per grade, always
closed, refused work never opens one, waiting for exams is not charged to the notebook, and the
provenance says what graded it.

``grade_in_sandbox`` takes its sandbox source as an argument; the tests of its own logic pass the
fake of tests/worker/fake_sandboxes.py. One test grades in a real container (marked ``docker``).
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from grader.assignment import Assignment, build_assignment
from grader.errors import BadInput, SandboxError
from grader.execution import Budget, CellRun
from sandboxes.docker_sandbox import WORKER_LABEL, DockerSandboxFactory
from sandboxes.environment import environment_digest
from sandboxes.limits import SandboxLimits
from tests.builders import learner_files, make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.conftest import SANDBOX_IMAGE
from tests.worker.fake_sandboxes import FakeSandboxSource
from worker.sandbox_grading import grade_in_sandbox
from worker.yielding import Gate

BUDGET = Budget(cell_timeout=5, notebook_timeout=60)
ANSWER = "def f(x):\n    return x + 1"


def assignment() -> Assignment:
    source = make_notebook(
        make_answer_cell("a", ANSWER),
        make_test_cell("one", "assert f(1) == 2", points=1),
        make_test_cell("two", "assert f(2) == 3", points=2),
    )
    return build_assignment({"hw.ipynb": to_bytes(source)})


def answered(work: Assignment) -> dict[str, bytes]:
    return learner_files(work, {"a": ANSWER})


def test_a_grade_opens_one_new_sandbox_with_its_labels_and_priority_and_closes_it() -> None:
    work, source = assignment(), FakeSandboxSource()
    labels = {"autograde.submission": "s-1"}
    result = grade_in_sandbox("t", work, answered(work), source, BUDGET, labels=labels, priority=True)
    [opened] = source.opened
    assert (opened.labels, opened.priority, opened.sandbox.closed) == (labels, True, True)
    assert opened.sandbox.calls[0] == ANSWER  # the learner's answer ran in that sandbox
    assert result.graded.report.score == 3.0


def test_the_provenance_says_which_sandbox_limits_budget_rubric_and_worker_graded() -> None:
    work, source = assignment(), FakeSandboxSource()
    provenance = grade_in_sandbox("t", work, answered(work), source, BUDGET).provenance
    sandbox = next(source.sandboxes())
    assert provenance["sandbox_image"] == sandbox.image_id
    assert provenance["sandbox_environment"] == sandbox.environment
    assert (provenance["container"], provenance["warm"]) == (sandbox.short_id, False)
    assert provenance["runtime"] == "runc" and provenance["limits"] == source.limits.to_dict()
    assert provenance["budget"] == {"cell_timeout": 5, "notebook_timeout": 60}
    assert provenance["rubric_version"] == work.rubric.version
    assert provenance["worker"] == f"{socket.gethostname()}/fake-worker"
    timings = provenance["timings"]
    assert timings["cells"] == sandbox.cell_seconds and timings["yielded_to_exams"] == 0.0
    assert 0 <= timings["sandbox_start"] <= timings["total"] and 0 <= timings["execution"] <= timings["total"]


def test_late_work_is_graded_with_its_late_credit() -> None:
    work = assignment()
    result = grade_in_sandbox(
        "t", work, answered(work), FakeSandboxSource(), BUDGET, on_time=False, late_credit=0.5
    )
    assert (result.graded.report.raw_score, result.graded.report.score) == (3.0, 1.5)


def test_the_sandbox_is_closed_when_grading_fails_with_our_fault() -> None:
    def engine_gone(code: str) -> CellRun:
        raise SandboxError("the container went away")

    work, source = assignment(), FakeSandboxSource([engine_gone])
    with pytest.raises(SandboxError):
        grade_in_sandbox("t", work, answered(work), source, BUDGET)
    assert [s.closed for s in source.sandboxes()] == [True]


@pytest.mark.parametrize(
    "sent", [{"notes.txt": b"no notebook"}, {"hw.ipynb": b"not json"}], ids=["no-notebook", "not-a-notebook"]
)
def test_a_submission_that_cannot_be_graded_is_refused_before_any_sandbox_opens(
    sent: dict[str, bytes],
) -> None:
    source = FakeSandboxSource()
    with pytest.raises(BadInput):
        grade_in_sandbox("t", assignment(), sent, source, BUDGET)
    assert source.opened == []


def test_time_spent_waiting_for_exams_is_reported_and_not_charged_to_the_notebook() -> None:
    """The notebook may run 0.15 s; the grade waits 0.3 s for exams first, and still every cell runs."""
    work, source = assignment(), FakeSandboxSource()
    gate = Gate(busy=lambda: True, limit=0.3)  # an exam in flight all along: the grade yields its limit
    tight = Budget(cell_timeout=5, notebook_timeout=0.15)
    result = grade_in_sandbox("t", work, answered(work), source, tight, gate=gate)
    assert [c.status for c in result.graded.report.cells] == ["passed", "passed"]
    assert result.provenance["timings"]["yielded_to_exams"] == pytest.approx(0.3, abs=0.05)


@pytest.mark.docker
def test_a_real_sandbox_grades_and_is_gone_afterwards(docker_client: Any) -> None:
    factory = DockerSandboxFactory(
        docker_client, SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256), worker="test-sandbox-grading"
    )
    work = assignment()
    result = grade_in_sandbox("t", work, answered(work), factory, Budget(20, 60))
    assert result.graded.report.score == 3.0
    assert result.provenance["sandbox_image"].startswith("sha256:")
    assert result.provenance["sandbox_environment"] == environment_digest()
    left = docker_client.containers.list(all=True, filters={"label": f"{WORKER_LABEL}=test-sandbox-grading"})
    assert left == []
