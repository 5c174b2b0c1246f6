"""A failing test says what happened to the answer it needed (issue 25), not only "NameError raised"."""

from __future__ import annotations

import itertools

from grader.answer_fate import fate_of
from grader.assignment import build_assignment
from grader.cells import grade_id_of
from grader.execution import Budget, CellRun
from grader.notebooks import copy_notebook
from grader.pipeline import grade
from tests.builders import (
    FakeSession,
    error_run,
    make_answer_cell,
    make_notebook,
    make_test_cell,
    ok_run,
    to_bytes,
)

BUDGET = Budget(cell_timeout=5, notebook_timeout=60)
SYNTAX_TRACE = [
    "  \x1b[36mCell \x1b[39mIn[3], line 2\x1b[0m\n    return [\n",
    "SyntaxError: incomplete input",
]


def two_questions():  # type: ignore[no-untyped-def]
    return build_assignment(
        {
            "hw.ipynb": to_bytes(
                make_notebook(
                    make_answer_cell("first", "def f():\n    return 1", stub=True),
                    make_test_cell("test_first", "assert f() == 1"),
                    make_answer_cell("second", "def g():\n    return 2", stub=True),
                    make_test_cell("test_second", "assert g() == 2"),
                )
            )
        }
    )


def graded_with(behaviour):  # type: ignore[no-untyped-def]
    assignment = two_questions()
    learner = copy_notebook(assignment.releases["hw.ipynb"])
    for cell in learner.cells:  # the learner's answers: the fake session decides how each one runs
        cell.source = {"first": "def f():\n    return 1", "second": "def g():\n    return 2"}.get(
            grade_id_of(cell), cell.source
        )
    counter = itertools.count()
    return grade(
        "t", assignment, {"hw.ipynb": learner}, FakeSession(behaviour), BUDGET, lambda: float(next(counter))
    )


def messages(graded) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c.grade_id: c.message for c in graded.report.cells}


def test_a_syntax_error_in_the_answer_is_named_beside_its_failing_test_with_the_line() -> None:
    def behaviour(code: str) -> CellRun:
        if code.startswith("def f"):
            return CellRun(
                "error",
                ({"output_type": "error", "ename": "SyntaxError", "evalue": "", "traceback": SYNTAX_TRACE},),
            )
        return error_run("NameError", "name 'f' is not defined") if "f()" in code else ok_run()

    got = messages(graded_with(behaviour))
    assert got["test_first"] == "NameError raised; the answer cell 'first' ended with SyntaxError on line 2"
    assert got["test_second"] == ""  # its own answer ran: nothing borrowed from the first question


def test_an_answer_that_ran_out_of_time_or_memory_is_said_so() -> None:
    def behaviour(code: str) -> CellRun:
        if code.startswith("def f"):
            return CellRun("timeout")
        if code.startswith("def g"):
            return CellRun("dead", detail="the kernel was killed for using more than its memory limit")
        return error_run("NameError")

    got = messages(graded_with(behaviour))
    assert got["test_first"] == "NameError raised; the answer cell 'first' ran out of time and was stopped"
    assert got["test_second"] == (
        "NameError raised; the answer cell 'second' did not finish: "
        "the kernel was killed for using more than its memory limit"
    )


def test_a_passing_test_is_not_given_a_story() -> None:
    def behaviour(code: str) -> CellRun:
        return CellRun("timeout") if code.startswith("def f") else ok_run()

    assert messages(graded_with(behaviour))["test_first"] == ""


def test_the_fate_of_a_cell_in_words() -> None:
    assert fate_of(ok_run()) == ""
    assert fate_of(CellRun("timeout_restarted")) == "ran out of time and was stopped"
    assert fate_of(error_run("ZeroDivisionError")) == "ended with ZeroDivisionError"


def test_the_feedback_says_an_answer_cell_ran_out_of_time() -> None:
    def behaviour(code: str) -> CellRun:
        return CellRun("timeout") if code.startswith("def f") else ok_run()

    assert "This cell ran out of time and was stopped." in graded_with(behaviour).feedback_html
