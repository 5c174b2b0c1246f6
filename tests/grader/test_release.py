"""The learner's release of a source notebook, built with nbgrader's own preprocessors."""

from __future__ import annotations

import pytest

from grader.errors import InvalidAssignment
from grader.release import build_release
from tests.builders import make_answer_cell, make_manual_cell, make_notebook, make_test_cell

SECRET = "return x * x  # the solution"
HIDDEN = (
    "assert square(2) == 4\n### BEGIN HIDDEN TESTS\nassert square(12345) == 152399025\n### END HIDDEN TESTS"
)


def source():  # type: ignore[no-untyped-def]
    answer = make_answer_cell("square", f"def square(x):\n    {SECRET}")
    answer.outputs = []
    test = make_test_cell("test_square", HIDDEN, points=2)
    test.outputs = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
    test.execution_count = 3
    return make_notebook(
        answer, test, make_manual_cell("essay", "### BEGIN SOLUTION\nmodel essay\n### END SOLUTION")
    )


def test_solutions_become_stubs_hidden_tests_vanish_and_outputs_clear() -> None:
    original = source()
    release = build_release("hw.ipynb", original)
    text = "".join(cell.source for cell in release.cells)
    assert SECRET not in text and "model essay" not in text and "152399025" not in text
    assert "assert square(2) == 4" in text and "YOUR CODE HERE" in text
    assert release.cells[1].outputs == [] and release.cells[1].execution_count is None
    assert (
        release.cells[1].metadata.nbgrader["locked"] is True
        and "checksum" in release.cells[1].metadata.nbgrader
    )
    assert SECRET in original.cells[0].source  # the source itself is untouched


def test_a_broken_solution_region_is_an_invalid_assignment_naming_the_notebook() -> None:
    broken = make_notebook(make_answer_cell("a", "### BEGIN SOLUTION\nx = 1", stub=True), make_test_cell("t"))
    with pytest.raises(InvalidAssignment, match=r"^hw\.ipynb: nbgrader could not build the release"):
        build_release("hw.ipynb", broken)
