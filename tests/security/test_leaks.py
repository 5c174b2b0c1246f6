"""Leak-proof feedback: hidden test source and its literals never reach the learner."""

from __future__ import annotations

import nbformat
import pytest

from grader.notebooks import copy_notebook, dump_notebook
from tests.security.conftest import HIDDEN_LITERAL, WRONG, Grader, square_assignment

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_hidden_literal_never_appears_in_feedback(grader: Grader) -> None:
    snoop = (
        f"{WRONG}\n"
        "import atexit, sys\n"
        "def spy(x):\n"
        "    print(sys._getframe(1).f_code.co_consts, file=sys.stderr)\n"
        "    return x + 1\n"
        "square = spy"
    )
    outcome = grader.grade_square(snoop)
    assert HIDDEN_LITERAL not in outcome.feedback
    assert "144" not in outcome.feedback


def test_history_printed_by_the_learners_own_later_cell_is_redacted(grader: Grader) -> None:
    assignment = square_assignment()
    nb = copy_notebook(assignment.releases["hw.ipynb"])
    nb.cells[0].source = WRONG
    nb.cells.append(nbformat.v4.new_code_cell("print(In)\nprint(_ih)"))
    outcome = grader.grade(assignment, {"hw.ipynb": dump_notebook(nb)})
    assert HIDDEN_LITERAL not in outcome.feedback
    assert "[hidden]" in outcome.feedback
