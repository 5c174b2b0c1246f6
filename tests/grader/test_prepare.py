"""The trusted merge: tests, points and instructor cells from the source; only answers from the learner."""

from __future__ import annotations

from typing import Any

import nbformat

from grader.assignment import build_assignment
from grader.cells import Role
from grader.notebooks import copy_notebook
from grader.prepare import plan_notebook
from tests.builders import make_answer_cell, make_notebook, make_test_cell, to_bytes

NAME = "hw.ipynb"
TEST = "assert square(3) == 9\n### BEGIN HIDDEN TESTS\nassert square(4) == 16\n### END HIDDEN TESTS"


def assignment() -> Any:
    nb = make_notebook(
        nbformat.v4.new_code_cell("import math"),
        make_answer_cell("square", "def square(x):\n    return x * x"),
        make_test_cell("test_square", TEST, points=2),
    )
    return build_assignment({NAME: to_bytes(nb)})


BUILT = assignment()  # once: cell ids are drawn at random, and the learner's copy keeps the release's


def plan(learner: Any) -> Any:
    return plan_notebook(NAME, BUILT.sources[NAME], BUILT.releases[NAME], learner)


def learner_copy(answer: str) -> Any:
    nb = copy_notebook(BUILT.releases[NAME])
    nb.cells[1].source = answer
    return nb


def test_the_learners_answer_runs_and_the_sources_test_with_its_hidden_part() -> None:
    nb = learner_copy("def square(x):\n    return x ** 2")
    nb.cells[2].source = "pass"  # an emptied visible test
    nb.cells[2].metadata.nbgrader["points"] = 100
    nb.cells[0].source = "import os; os.system('x')"  # an edited instructor cell
    result = plan(nb)
    assert [(s.code, s.role, s.from_learner, s.trusted) for s in result.steps] == [
        ("import math", Role.PLAIN, False, True),
        ("def square(x):\n    return x ** 2", Role.ANSWER, True, False),
        (TEST, Role.TEST, False, False),
    ]
    assert result.merged.cells[2].metadata.nbgrader["points"] == 2
    assert result.answered == {"square": True} and not result.flags and not result.deleted


def test_an_answer_left_as_the_stub_is_not_answered() -> None:
    stub = BUILT.releases[NAME].cells[1].source
    assert plan(learner_copy(stub)).answered == {"square": False}


def test_a_missing_answer_runs_the_stub_never_the_solution_and_is_noted() -> None:
    nb = learner_copy("")
    del nb.cells[1]
    result = plan(nb)
    assert "return x * x" not in result.steps[1].code and not result.steps[1].from_learner
    assert result.deleted == frozenset({"square"})
    assert result.notes == (
        "hw.ipynb: answer cell 'square' is missing from the submission; its starter code was run",
    )


def test_answers_are_matched_by_cell_id_when_metadata_is_stripped() -> None:
    nb = learner_copy("def square(x):\n    return x ** 2")
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    assert plan(nb).steps[1].code == "def square(x):\n    return x ** 2"


def test_a_submission_matching_no_answer_cell_is_flagged_for_a_person() -> None:
    nb = make_notebook(nbformat.v4.new_code_cell("def square(x):\n    return 9"))
    result = plan(nb)
    assert result.unmatched and "match the learner's work by hand" in result.flags[0]


def test_learners_own_cells_run_where_they_were_and_grade_nothing() -> None:
    nb = learner_copy("def square(x):\n    return x * x")
    own = make_test_cell("test_square", "print('mine')", points=50)  # an earlier copy of the grade id
    nb.cells.insert(2, own)
    nb.cells.insert(0, nbformat.v4.new_code_cell("x = 0"))
    result = plan(nb)
    codes = [(s.code, s.from_learner, s.grade_id) for s in result.steps]
    assert codes[0] == ("x = 0", True, None)
    assert ("print('mine')", True, None) in codes and codes[-1][0] == TEST
    assert "nbgrader" not in result.merged.cells[0].metadata


def test_an_unknown_grade_id_is_the_learners_own_cell_and_noted() -> None:
    nb = learner_copy("def square(x):\n    return x * x")
    nb.cells.append(make_test_cell("bonus", "assert True", points=10))
    result = plan(nb)
    assert result.steps[-1].from_learner and result.steps[-1].grade_id is None
    assert any("unknown grade_id 'bonus'" in note for note in result.notes)


def test_outputs_saved_in_the_source_are_never_carried_into_the_merge() -> None:
    source = copy_notebook(BUILT.sources[NAME])
    source.cells[0].outputs = [nbformat.v4.new_output("stream", text="the instructor's run")]
    merged = plan_notebook(NAME, source, BUILT.releases[NAME], learner_copy("x = 1")).merged
    assert merged.cells[0].outputs == [] and merged.cells[0].execution_count is None
