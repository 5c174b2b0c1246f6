"""Feedback HTML: the learner's notebook as graded, with nothing of a hidden test and nothing unescaped."""

from __future__ import annotations

import itertools
from typing import Any

from grader.assignment import build_assignment
from grader.execution import Budget, CellRun
from grader.feedback import render_feedback
from grader.notebooks import copy_notebook
from grader.pipeline import Graded, grade
from tests.builders import FakeSession, make_answer_cell, make_notebook, make_test_cell, to_bytes

HIDDEN = (
    "assert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(12345) == 'the hidden answer'\n### END HIDDEN TESTS"
)
ASSIGNMENT = build_assignment(
    {
        "hw.ipynb": to_bytes(
            make_notebook(
                make_answer_cell("f", "def f(x):\n    return x"),
                make_test_cell("visible", "assert f(2) == 2", points=1),
                make_test_cell("hidden", HIDDEN, points=2),
            )
        )
    }
)


def graded(answer: str, behaviour: Any, **lateness: Any) -> Graded:
    nb = copy_notebook(ASSIGNMENT.releases["hw.ipynb"])
    nb.cells[0].source = answer
    counter = itertools.count()
    return grade(
        "HW <1>",
        ASSIGNMENT,
        {"hw.ipynb": nb},
        FakeSession(behaviour=behaviour),
        Budget(5, 60),
        lambda: float(next(counter)),
        **lateness,
    )


def stream(text: str) -> CellRun:
    return CellRun("ok", ({"output_type": "stream", "name": "stdout", "text": text},))


def test_a_hidden_tests_source_and_output_never_reach_the_page() -> None:
    def behaviour(code: str) -> CellRun:
        if "BEGIN HIDDEN" in code:
            return CellRun(
                "error",
                (
                    {
                        "output_type": "error",
                        "ename": "AssertionError",
                        "evalue": "the hidden answer",
                        "traceback": [code],
                    },
                ),
            )
        return CellRun("ok")

    page = graded("def f(x):\n    return x", behaviour).feedback_html
    assert "12345" not in page and "the hidden answer" not in page
    assert "assert f(1) == 1" in page and "its output is not shown" in page


def test_learner_code_that_prints_a_hidden_literal_later_has_it_redacted() -> None:
    answer = "def f(x):\n    return x\nprint(In)"
    page = graded(
        answer,
        lambda code: stream("In: ['the hidden answer', 12345]") if "print(In)" in code else CellRun("ok"),
    ).feedback_html
    assert "the hidden answer" not in page and "12345" not in page and "[hidden]" in page


def test_everything_the_learner_controls_is_escaped() -> None:
    answer = "def f(x):\n    return x  # <script>alert(1)</script>"
    page = graded(
        answer, lambda code: stream("<img src=x onerror=alert(2)>") if "def f" in code else CellRun("ok")
    ).feedback_html
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<title>HW &lt;1&gt;</title>" in page


def test_late_work_says_how_much_credit_it_kept_and_the_score_shows() -> None:
    result = graded("def f(x):\n    return x", lambda code: CellRun("ok"), on_time=False, late_credit=0.5)
    assert "Received after the deadline: 50% of the credit kept." in result.feedback_html
    assert f"Score: {result.report.score:g} / 3" in result.feedback_html


def test_an_image_output_is_shown_and_ansi_colour_is_stripped_from_tracebacks() -> None:
    image = CellRun(
        "ok", ({"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=\n"}, "metadata": {}},)
    )
    crash = CellRun(
        "error",
        ({"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["\x1b[0;31mE\x1b[0m: v"]},),
    )
    page = render_feedback("t", graded("x = 1", lambda c: CellRun("ok")).report, {}, {})
    assert "hw.ipynb" not in page  # no plans, no notebooks
    plans_and_runs = graded(
        "def f(x):\n    return x",
        lambda code: image if "def f" in code else crash if "f(2)" in code else CellRun("ok"),
    )
    assert "src='data:image/png;base64,iVBORw0KGgo='" in plans_and_runs.feedback_html
    assert "\x1b" not in plans_and_runs.feedback_html and "E: v" in plans_and_runs.feedback_html
