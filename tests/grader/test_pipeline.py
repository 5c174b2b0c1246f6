"""The pipeline end to end: tests from the source, answers from the learner (the merge alone: test_prepare.py)."""

from __future__ import annotations

import itertools

import nbformat

from grader.assignment import build_assignment
from grader.execution import Budget, CellRun
from grader.notebooks import copy_notebook
from grader.pipeline import grade
from tests.builders import (
    FakeSession,
    error_run,
    make_answer_cell,
    make_notebook,
    make_test_cell,
    to_bytes,
)

BUDGET = Budget(cell_timeout=5, notebook_timeout=60)
TEST_SOURCE = "assert square(3) == 9\n### BEGIN HIDDEN TESTS\nassert square(4) == 16\n### END HIDDEN TESTS"


def clock():  # a clock that advances one second per call
    counter = itertools.count()
    return lambda: float(next(counter))


def build():  # type: ignore[no-untyped-def]
    nb = make_notebook(
        make_answer_cell("square", "def square(x):\n    return x * x"),
        make_test_cell("test_square", TEST_SOURCE, points=2),
        make_test_cell("test_other", "assert True", points=1),
    )
    return build_assignment({"hw.ipynb": to_bytes(nb)})


def learner_copy(assignment, answer: str):  # type: ignore[no-untyped-def]
    nb = copy_notebook(assignment.releases["hw.ipynb"])
    nb.cells[0].source = answer
    return nb


def test_edited_test_cells_and_points_change_nothing() -> None:
    assignment = build()
    nb = learner_copy(assignment, "def square(x):\n    return x * x")
    nb.cells[1].source = "pass"  # the learner emptied the visible test
    nb.cells[1].metadata.nbgrader["points"] = 100
    session = FakeSession()
    grade("t", assignment, {"hw.ipynb": nb}, session, BUDGET, clock())
    assert TEST_SOURCE in session.calls  # the source's test, hidden part included, ran
    assert "pass" not in session.calls


def test_answers_matched_by_cell_id_when_metadata_is_stripped() -> None:
    assignment = build()
    nb = learner_copy(assignment, "def square(x):\n    return x ** 2")
    del nb.cells[0].metadata["nbgrader"]
    session = FakeSession()
    grade("t", assignment, {"hw.ipynb": nb}, session, BUDGET, clock())
    assert session.calls[0] == "def square(x):\n    return x ** 2"


def test_missing_answer_runs_the_stub_never_the_solution() -> None:
    assignment = build()
    nb = learner_copy(assignment, "")
    nb.cells = nb.cells[1:]
    session = FakeSession(
        behaviour=lambda code: error_run("NotImplementedError") if "raise" in code else CellRun("ok")
    )
    graded = grade("t", assignment, {"hw.ipynb": nb}, session, BUDGET, clock())
    assert "return x * x" not in "".join(session.calls)
    assert any("missing from the submission" in e for e in graded.report.events)


def test_learner_cells_run_in_place() -> None:
    assignment = build()
    nb = learner_copy(assignment, "def square(x):\n    return helper(x)")
    nb.cells.insert(0, nbformat.v4.new_code_cell("def helper(x): return x*x"))
    session = FakeSession()
    grade("t", assignment, {"hw.ipynb": nb}, session, BUDGET, clock())
    assert session.calls[0] == "def helper(x): return x*x"


def test_dead_kernel_scores_what_ran_and_replays_clean_cells() -> None:
    assignment = build()
    nb = learner_copy(assignment, "def square(x):\n    return x * x")
    crashed = []

    def behaviour(code: str) -> CellRun:
        if code == TEST_SOURCE and not crashed:
            crashed.append(code)
            return CellRun("dead", detail="the kernel was killed")
        return CellRun("ok")

    session = FakeSession(behaviour=behaviour)
    graded = grade("t", assignment, {"hw.ipynb": nb}, session, BUDGET, clock())
    scores = {c.grade_id: (c.score, c.status) for c in graded.report.cells}
    assert scores["test_square"] == (0.0, "error")
    assert scores["test_other"] == (1.0, "passed")
    # the answer cell ran, then was replayed after the crash, then the next test ran
    assert session.calls == [nb.cells[0].source, TEST_SOURCE, nb.cells[0].source, "assert True"]


def test_notebook_time_budget_marks_the_rest_not_run() -> None:
    assignment = build()
    nb = learner_copy(assignment, "def square(x):\n    return x * x")
    graded = grade("t", assignment, {"hw.ipynb": nb}, FakeSession(), Budget(5, 2.5), clock())
    statuses = [c.status for c in graded.report.cells]
    assert statuses == ["passed", "not_run"]


def test_feedback_never_shows_hidden_tests() -> None:
    assignment = build()
    nb = learner_copy(assignment, "def square(x):\n    return 0")
    session = FakeSession(
        behaviour=lambda code: (
            error_run("AssertionError", "square(4) == 16") if code == TEST_SOURCE else CellRun("ok")
        )
    )
    graded = grade("t", assignment, {"hw.ipynb": nb}, session, BUDGET, clock())
    assert "square(4)" not in graded.feedback_html
    assert "test_square: 0 / 2 (failed)" in graded.feedback_html
    assert "assert square(3) == 9" in graded.feedback_html


def test_late_credit_scales_the_score() -> None:
    assignment = build()
    nb = learner_copy(assignment, "def square(x):\n    return x * x")
    graded = grade(
        "t", assignment, {"hw.ipynb": nb}, FakeSession(), BUDGET, clock(), on_time=False, late_credit=0.5
    )
    assert graded.report.raw_score == 3.0 and graded.report.score == 1.5
