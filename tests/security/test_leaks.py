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


def test_the_learners_history_never_holds_a_test(grader: Grader) -> None:
    """Tests run in the judge: a later cell that prints ``In`` finds no test in it, hidden or not."""
    assignment = square_assignment()
    nb = copy_notebook(assignment.releases["hw.ipynb"])
    nb.cells[0].source = WRONG
    nb.cells.append(nbformat.v4.new_code_cell("print('hist' + 'ory>', In)\nprint(_ih)"))
    outcome = grader.grade(assignment, {"hw.ipynb": dump_notebook(nb)})
    printed = outcome.feedback.split("history&gt;", 1)[1].split("</pre>", 1)[0]
    assert "return x + 1" in printed, "the learner's own cells are in their history"
    assert "assert" not in printed and "square(3)" not in printed and "square(12)" not in printed
    assert HIDDEN_LITERAL not in outcome.feedback and "square(12)" not in outcome.feedback


def test_history_printed_in_process_is_redacted(grader: Grader) -> None:
    """In the weaker in-process mode tests do enter the kernel's history; feedback redacts them."""
    assignment = square_assignment(in_process=True)
    nb = copy_notebook(assignment.releases["hw.ipynb"])
    nb.cells[0].source = WRONG
    nb.cells.append(nbformat.v4.new_code_cell("print(In)\nprint(_ih)"))
    outcome = grader.grade(assignment, {"hw.ipynb": dump_notebook(nb)})
    assert HIDDEN_LITERAL not in outcome.feedback
    assert "[hidden]" in outcome.feedback
