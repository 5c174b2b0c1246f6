"""Where nbgrader's behaviour is the contract (issue 17): each test is one case it grades differently from a naive merge."""

from __future__ import annotations

import itertools
import json

import nbformat
import pytest

from grader.assignment import build_assignment
from grader.errors import InvalidAssignment
from grader.execution import Budget
from grader.notebooks import copy_notebook
from grader.pipeline import grade, learner_data_files
from tests.builders import (
    FakeSession,
    make_answer_cell,
    make_manual_cell,
    make_notebook,
    make_test_cell,
    to_bytes,
)

BUDGET = Budget(cell_timeout=5, notebook_timeout=60)


def clock():  # type: ignore[no-untyped-def]
    counter = itertools.count()
    return lambda: float(next(counter))


def one_notebook(*cells):  # type: ignore[no-untyped-def]
    return build_assignment({"hw.ipynb": to_bytes(make_notebook(*cells))})


def released(assignment, name: str = "hw.ipynb"):  # type: ignore[no-untyped-def]
    return copy_notebook(assignment.releases[name])


def test_a_notebook_not_submitted_scores_zero_and_never_runs() -> None:
    nb = make_notebook(
        make_answer_cell("a", "x = 1", stub=True), make_test_cell("t", "assert True"), make_manual_cell("m")
    )
    assignment = build_assignment({"p1.ipynb": to_bytes(nb), "p2.ipynb": to_bytes(nb)})
    session = FakeSession()
    graded = grade(
        "t",
        assignment,
        {"p1.ipynb": released(assignment, "p1.ipynb"), "p2.ipynb": None},
        session,
        BUDGET,
        clock(),
    )
    p2 = [(c.grade_id, c.score, c.status) for c in graded.report.cells if c.notebook == "p2.ipynb"]
    assert p2 == [("t", 0.0, "not_run"), ("m", 0.0, "not_run")]
    assert len(session.calls) == 2  # p1's answer and test only
    assert session.restarts == 0
    assert any("p2.ipynb was not submitted" in e for e in graded.report.events)


def test_an_answer_whose_cell_type_was_changed_is_kept_with_the_source_type() -> None:
    assignment = one_notebook(
        make_answer_cell("a", "def f(): return 1"), make_test_cell("t", "assert f() == 1")
    )
    nb = released(assignment)
    typed = nb.cells[0]
    nb.cells[0] = nbformat.v4.new_markdown_cell(
        "def f(): return 1", metadata=typed.metadata, id=typed.get("id")
    )
    session = FakeSession()
    graded = grade("t", assignment, {"hw.ipynb": nb}, session, BUDGET, clock())
    assert session.calls[0] == "def f(): return 1"
    assert graded.plans["hw.ipynb"].merged.cells[0].cell_type == "code"
    assert not any("missing" in e for e in graded.report.events)


def test_a_notebook_where_no_graded_cell_can_be_matched_is_flagged_for_review() -> None:
    assignment = one_notebook(make_answer_cell("a", "x = 1"), make_test_cell("t", "assert x == 1"))
    stripped = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("x")]
    )
    for cell in stripped.cells:
        del cell["id"]
    graded = grade("t", assignment, {"hw.ipynb": stripped}, FakeSession(), BUDGET, clock())
    assert graded.report.needs_review
    assert any("hw.ipynb" in f and "no cell" in f for f in graded.report.flags)
    (test,) = graded.report.cells
    assert (test.score, test.status) == (None, "needs_manual_grading")  # nbgrader: its grade cells are gone
    assert "the source's test gave 1 of 1" in test.message


def test_a_matched_notebook_is_not_flagged() -> None:
    assignment = one_notebook(make_answer_cell("a", "x = 1"), make_test_cell("t", "assert x == 1"))
    graded = grade("t", assignment, {"hw.ipynb": released(assignment)}, FakeSession(), BUDGET, clock())
    assert graded.report.flags == ()


def test_a_deleted_manually_graded_answer_goes_to_a_person_not_to_zero() -> None:
    assignment = one_notebook(make_answer_cell("a", "x = 1"), make_test_cell("t"), make_manual_cell("m"))
    nb = released(assignment)
    nb.cells = nb.cells[:2]
    graded = grade("t", assignment, {"hw.ipynb": nb}, FakeSession(), BUDGET, clock())
    (manual,) = [c for c in graded.report.cells if c.grade_id == "m"]
    assert (manual.score, manual.status) == (None, "needs_manual_grading")
    assert "deleted" in manual.review
    assert graded.report.needs_review


def test_an_unchanged_manually_graded_answer_still_scores_zero() -> None:
    assignment = one_notebook(make_answer_cell("a", "x = 1"), make_test_cell("t"), make_manual_cell("m"))
    graded = grade("t", assignment, {"hw.ipynb": released(assignment)}, FakeSession(), BUDGET, clock())
    (manual,) = [c for c in graded.report.cells if c.grade_id == "m"]
    assert (manual.score, manual.status, manual.review) == (0.0, "failed", "")


def test_files_submitted_beside_the_notebook_reach_the_learner_but_the_source_files_win() -> None:
    assignment = build_assignment(
        {"hw.ipynb": to_bytes(make_notebook(make_test_cell("t"))), "data.csv": b"instructor"}
    )
    sent = {
        "hw.ipynb": b"{}",
        "data.csv": b"learner",
        "data.csv/inside": b"collides with the instructor's file",
        "mine.txt": b"notes",
        "sub/more.txt": b"more",
        ".ipynb_checkpoints/hw-checkpoint.ipynb": b"{}",
        "../escape.txt": b"no",
        "/etc/passwd": b"no",
    }
    kept = learner_data_files(assignment, sent)
    assert kept == {"mine.txt": b"notes", "sub/more.txt": b"more"}
    session = FakeSession()
    grade("t", assignment, {"hw.ipynb": released(assignment)}, session, BUDGET, clock(), learner_files=kept)
    assert session.files == {"data.csv": b"instructor", "mine.txt": b"notes", "sub/more.txt": b"more"}
    assert session.judge_files == {"data.csv": b"instructor"}  # nothing of the learner's reaches the judge


def test_a_source_with_an_r_kernel_is_refused_at_upload() -> None:
    nb = make_notebook(make_test_cell("t", "stopifnot(TRUE)"))
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    with pytest.raises(InvalidAssignment, match=r"hw.ipynb: .*kernel 'ir' \(R\).*only Python"):
        build_assignment({"hw.ipynb": to_bytes(nb)})


def test_a_source_without_a_kernelspec_is_taken_as_python() -> None:
    nb = make_notebook(make_test_cell("t"))
    del nb.metadata["kernelspec"]
    assert build_assignment({"hw.ipynb": to_bytes(nb)}).notebook_names == ["hw.ipynb"]


@pytest.mark.parametrize("directive", ["### AUTOTEST square(3)", "### HASHED AUTOTEST square(3)"])
def test_an_autotest_directive_is_refused_naming_its_cell(directive: str) -> None:
    with pytest.raises(InvalidAssignment, match=r"hw.ipynb, cell 2 \(grade_id 't'\): .*AUTOTEST"):
        one_notebook(make_answer_cell("a", "def square(x): return x * x"), make_test_cell("t", directive))


@pytest.mark.parametrize("version", [1, 2])
def test_old_metadata_schemas_are_upgraded_as_nbgrader_update_does(version: int) -> None:
    nb = make_notebook(make_answer_cell("a", "x = 1"), make_test_cell("t", "assert x == 1", points=2))
    for cell in nb.cells:
        cell.metadata.nbgrader["schema_version"] = version
    assignment = build_assignment({"hw.ipynb": to_bytes(nb)})
    assert [(c.grade_id, c.points) for c in assignment.rubric.cells] == [("t", 2.0)]
    assert {c.metadata.nbgrader["schema_version"] for c in assignment.sources["hw.ipynb"].cells} == {3}


def test_schema_zero_cells_get_nbgrader_update_defaults() -> None:
    nb = make_notebook(make_answer_cell("a", "x = 1"), make_test_cell("t", "assert x == 1"))
    for cell in nb.cells:
        del cell.metadata.nbgrader["schema_version"]
        del cell.metadata.nbgrader["locked"]
    nb.cells[1].metadata.nbgrader["points"] = "3"
    nb.cells.append(
        nbformat.v4.new_code_cell("y = 2", metadata={"nbgrader": {"grade": False, "solution": False}})
    )
    assignment = build_assignment({"hw.ipynb": to_bytes(nb)})
    assert [(c.grade_id, c.points) for c in assignment.rubric.cells] == [("t", 3.0)]
    assert "nbgrader" not in assignment.sources["hw.ipynb"].cells[2].metadata


def test_an_unknown_future_schema_is_still_refused() -> None:
    nb = make_notebook(make_test_cell("t"))
    nb.cells[0].metadata.nbgrader["schema_version"] = 4
    with pytest.raises(InvalidAssignment, match="schema_version 4"):
        build_assignment({"hw.ipynb": to_bytes(nb)})


def test_a_markdown_grade_cell_that_is_not_a_solution_is_refused_as_nbgrader_does() -> None:
    cell = make_manual_cell("m")
    cell.metadata.nbgrader["solution"] = False
    with pytest.raises(
        InvalidAssignment, match=r"cell 1 \(grade_id 'm'\): a markdown grade cell must also be a solution"
    ):
        one_notebook(cell)


def test_a_cell_turned_into_markdown_that_kept_its_code_fields_is_still_a_notebook() -> None:
    """Jupyter drops outputs and execution_count on a type change; a hand-edited file may not, and nbgrader accepts it."""
    from grader.notebooks import parse_notebook

    raw = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x = 1")])
    raw.cells[0]["outputs"], raw.cells[0]["execution_count"] = [], None
    notebook = parse_notebook(json.dumps(raw).encode())
    assert notebook.cells[0].cell_type == "markdown" and "outputs" not in notebook.cells[0]


def test_a_copied_answer_cell_grades_the_last_copy_and_runs_the_earlier_as_the_learners_own() -> None:
    """nbgrader's DeduplicateIds keeps the last cell of a grade_id and strips the earlier copies."""
    assignment = one_notebook(make_answer_cell("a", "x = 1"), make_test_cell("t", "assert x == 2"))
    nb = released(assignment)
    draft = copy_notebook(nb).cells[0]
    draft.source, nb.cells[0].source = "x = 0  # a draft", "x = 2"
    draft["id"] = "a-draft"
    nb.cells.insert(0, draft)
    session = FakeSession()
    graded = grade("t", assignment, {"hw.ipynb": nb}, session, BUDGET, clock())
    assert session.calls[:2] == ["x = 0  # a draft", "x = 2"]
    assert graded.plans["hw.ipynb"].answered == {"a": True}
