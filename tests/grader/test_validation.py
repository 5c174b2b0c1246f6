"""An instructor's source notebook: old nbgrader metadata upgraded as ``nbgrader update`` does,
then every metadata problem named by its cell, and what we would grade unlike nbgrader refused."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from grader.errors import InvalidAssignment
from grader.validation import check_gradable, upgrade_metadata, validate_source
from tests.builders import make_answer_cell, make_manual_cell, make_notebook, make_test_cell


def old_cell(source: str = "x = 1", cell_type: str = "code", **meta: Any) -> Any:
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    return make(source, metadata={"nbgrader": {"schema_version": 0, **meta}})


def test_v0_metadata_is_upgraded_with_nbgraders_defaults() -> None:
    notebook = make_notebook(
        old_cell(grade=True, grade_id="t", points="-2"),
        old_cell(solution=True, grade_id="a", points=5),
        old_cell(grade=True, grade_id="u", points=""),
        old_cell(),  # marked nothing: no longer an nbgrader cell
    )
    upgraded = upgrade_metadata(notebook)
    metas = [cell.metadata.get("nbgrader") for cell in upgraded.cells]
    assert metas[0]["points"] == 0.0 and metas[0]["solution"] is False and metas[0]["schema_version"] == 3
    assert "points" not in metas[1] and metas[1]["locked"] is False
    assert metas[2]["points"] == 0.0
    assert metas[3] is None
    assert notebook.cells[0].metadata.nbgrader["schema_version"] == 0  # the source itself is untouched


def test_a_later_schema_is_left_for_validation_to_name() -> None:
    cell = make_test_cell("t")
    cell.metadata.nbgrader["schema_version"] = 9
    upgraded = upgrade_metadata(make_notebook(cell))
    with pytest.raises(InvalidAssignment, match="unknown nbgrader schema_version 9"):
        validate_source("hw.ipynb", upgraded)


@pytest.mark.parametrize(
    "kernelspec",
    [{"name": "ir", "language": "R", "display_name": "R"}, {"name": "julia-1.9", "language": "julia"}],
)
def test_a_notebook_for_another_language_is_refused(kernelspec: dict[str, str]) -> None:
    notebook = make_notebook(make_test_cell("t"))
    notebook.metadata["kernelspec"] = kernelspec
    with pytest.raises(InvalidAssignment, match=r"^hw\.ipynb: the notebook's kernel .* is not supported"):
        check_gradable("hw.ipynb", notebook)


@pytest.mark.parametrize("line", ["### AUTOTEST square(3)", "  # ### HASHED AUTOTEST f(1)"])
def test_autotest_directives_are_refused_not_run_as_comments_that_pass(line: str) -> None:
    notebook = make_notebook(make_test_cell("t", f"{line}\nassert True"))
    with pytest.raises(InvalidAssignment, match="AUTOTEST .* are not supported"):
        check_gradable("hw.ipynb", notebook)
    check_gradable("hw.ipynb", make_notebook(make_test_cell("t", "x = 'AUTOTEST'")))  # not a directive


def test_every_problem_is_named_by_its_cell_at_once() -> None:
    no_points = make_test_cell("t2", points=None)
    bad_points = make_test_cell("t3", points=-1)
    nameless = make_test_cell("t4")
    nameless.metadata.nbgrader["grade_id"] = ""
    markdown_answer = nbformat.v4.new_markdown_cell("x", metadata=make_answer_cell("m").metadata)
    with pytest.raises(InvalidAssignment) as caught:
        validate_source(
            "hw.ipynb",
            make_notebook(
                make_test_cell("t1"), make_test_cell("t1"), no_points, bad_points, nameless, markdown_answer
            ),
        )
    message = caught.value.message
    for expected in (
        "cell 2 (grade_id 't1'): duplicate grade_id, also used by cell 1",
        "graded cell without points",
        "points must be a non-negative number, not -1",
        "nbgrader cell without a grade_id",
        "a markdown solution cell must also be graded",
    ):
        assert expected in message
    assert message.count(";") == 4


@pytest.mark.parametrize("points", [True, "two", float("nan"), float("inf"), [1]])
def test_points_that_are_not_a_finite_non_negative_number_are_refused(points: object) -> None:
    with pytest.raises(InvalidAssignment, match="points must be a non-negative number"):
        validate_source("hw.ipynb", make_notebook(make_test_cell("t", points=points)))  # type: ignore[arg-type]


def test_a_notebook_without_graded_cells_is_refused() -> None:
    with pytest.raises(InvalidAssignment, match="no graded cells"):
        validate_source("hw.ipynb", make_notebook(make_answer_cell("a")))
    validate_source("hw.ipynb", make_notebook(make_answer_cell("a"), make_manual_cell("m")))
