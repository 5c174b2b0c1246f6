"""An assignment chooses how its tests are judged in its source's metadata; the default is the judge."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from grader.assignment import build_assignment
from grader.errors import InvalidAssignment
from grader.execution import Budget
from grader.judging import WEAKER, Judging
from grader.pipeline import grade, match_submission
from tests.builders import FakeSession, make_answer_cell, make_notebook, make_test_cell, to_bytes


def notebook(settings: Any = None) -> Any:
    nb = make_notebook(make_answer_cell("a", "x = 1"), make_test_cell("t", "assert x == 1"))
    if settings is not None:
        nb.metadata["autograde"] = settings
    return nb


def test_the_default_is_the_judge() -> None:
    assert build_assignment({"a.ipynb": to_bytes(notebook())}).judging == Judging("judge", False)


def test_in_process_and_proxies_are_read_from_the_metadata() -> None:
    assignment = build_assignment({"a.ipynb": to_bytes(notebook({"judge": "in-process", "proxies": True}))})
    assert assignment.judging == Judging("in-process", True)


@pytest.mark.parametrize(
    "settings", [{"judge": "kernel"}, {"proxies": "yes"}, "in-process", {"instructor_cells": "some"}]
)
def test_an_unknown_choice_is_refused_at_upload(settings: Any) -> None:
    with pytest.raises(InvalidAssignment):
        build_assignment({"a.ipynb": to_bytes(notebook(settings))})


def test_notebooks_of_one_assignment_must_agree() -> None:
    files = {"a.ipynb": to_bytes(notebook()), "b.ipynb": to_bytes(notebook({"judge": "in-process"}))}
    with pytest.raises(InvalidAssignment, match="different ways"):
        build_assignment(files)


def graded(settings: Any) -> tuple[FakeSession, Any]:
    data = to_bytes(notebook(settings))
    assignment = build_assignment({"a.ipynb": data})
    session = FakeSession()
    result = grade(
        "a", assignment, match_submission(assignment, {"a.ipynb": data}), session, Budget(5, 60), lambda: 0.0
    )
    return session, result.report


def test_judged_tests_go_to_the_judge_and_the_report_says_so() -> None:
    session, report = graded(None)
    assert session.tests == ["assert x == 1"]
    assert report.judge == "judge" and WEAKER not in report.events


def test_in_process_tests_run_attested_in_the_kernel_and_are_marked_weaker() -> None:
    session, report = graded({"judge": "in-process"})
    assert session.tests == [] and "assert x == 1" in session.calls
    assert report.judge == "in-process" and WEAKER in report.events
    assert report.to_dict()["judge"] == "in-process"


def instructor_data_assignment(settings: Any) -> tuple[FakeSession, Any]:
    from tests.builders import make_notebook

    nb = make_notebook(
        make_answer_cell("a", "def mean(v):\n    return 0"),
        nbformat.v4.new_code_cell("import statistics\ndata = list(range(1, 4))\n%matplotlib inline"),
        make_test_cell("t", "assert mean(data) == statistics.mean(data)"),
    )
    nb.metadata["autograde"] = settings
    data = to_bytes(nb)
    assignment = build_assignment({"a.ipynb": data})
    session = FakeSession()
    grade(
        "a", assignment, match_submission(assignment, {"a.ipynb": data}), session, Budget(5, 60), lambda: 0.0
    )
    return session, assignment


def test_the_judge_holds_an_instructor_cells_definitions_by_default() -> None:
    session, _ = instructor_data_assignment({})
    assert session.defined == ["import statistics"]


def test_an_assignment_can_have_the_judge_run_its_instructor_cells_in_full() -> None:
    session, assignment = instructor_data_assignment({"instructor_cells": "all"})
    assert assignment.judging.instructor_cells == "all"
    assert session.defined == ["import statistics\ndata = list(range(1, 4))\npass"]


def test_in_process_the_judge_holds_nothing() -> None:
    session, _ = instructor_data_assignment({"judge": "in-process", "instructor_cells": "all"})
    assert session.defined == []
