"""The rubric: graded cells with ids, in notebook order, and a version that follows the sources."""

from __future__ import annotations

import copy

from grader.cells import Role
from grader.rubric import GradeCell, build_rubric
from tests.builders import make_answer_cell, make_manual_cell, make_notebook, make_test_cell


def test_graded_cells_with_ids_in_order_across_notebooks() -> None:
    rubric = build_rubric(
        {
            "b.ipynb": make_notebook(make_test_cell("t2", points=3)),
            "a.ipynb": make_notebook(
                make_answer_cell("answer"),
                make_test_cell("t1", points=2),
                make_manual_cell("essay", points=4),
            ),
        }
    )
    assert [(c.notebook, c.grade_id, c.points, c.role) for c in rubric.cells] == [
        ("a.ipynb", "t1", 2.0, Role.TEST),
        ("a.ipynb", "essay", 4.0, Role.MANUAL),
        ("b.ipynb", "t2", 3.0, Role.TEST),
    ]
    assert rubric.max_score == 9.0
    assert rubric.find("b.ipynb", "t2") == GradeCell("b.ipynb", "t2", 3.0, Role.TEST)
    assert rubric.find("a.ipynb", "t2") is None


def test_a_graded_cell_without_a_grade_id_is_not_in_the_rubric() -> None:
    nameless = make_test_cell("x", points=5)
    nameless.metadata.nbgrader["grade_id"] = ""
    assert build_rubric({"a.ipynb": make_notebook(nameless)}).cells == ()


def test_the_version_changes_with_points_and_names_not_with_key_order() -> None:
    notebook = make_notebook(make_test_cell("t1", points=1))
    base = build_rubric({"a.ipynb": notebook}).version
    reordered = copy.deepcopy(notebook)
    meta = reordered.cells[0].metadata
    meta["nbgrader"] = dict(reversed(list(meta["nbgrader"].items())))
    assert build_rubric({"a.ipynb": reordered}).version == base
    more = copy.deepcopy(notebook)
    more.cells[0].metadata.nbgrader["points"] = 2
    assert build_rubric({"a.ipynb": more}).version != base
    assert build_rubric({"b.ipynb": notebook}).version != base
    assert len(base) == 16


def test_a_grade_cell_says_whether_a_machine_grades_it() -> None:
    test, manual = GradeCell("a.ipynb", "t", 1, Role.TEST), GradeCell("a.ipynb", "m", 1, Role.MANUAL)
    assert test.autograded and not manual.autograded
    assert manual.to_dict() == {"notebook": "a.ipynb", "grade_id": "m", "points": 1, "kind": "manual"}
