"""An assignment whose second test scores an unseeded random draw (partial credit): the same
submission gets a different score on every run, which a regrade request's triage must catch."""

from __future__ import annotations

from tests.builders import make_answer_cell, make_notebook, make_test_cell, to_bytes

SOLUTION = "def answer():\n    return 42"
STEADY = "assert answer() == 42"
LUCK = (
    "import random\nrandom.random() * 2"  # partial credit from an unseeded draw: a different score each run
)


def luck_source() -> bytes:
    return to_bytes(
        make_notebook(
            make_answer_cell("answer", SOLUTION),
            make_test_cell("test_answer", STEADY, 2),
            make_test_cell("test_luck", LUCK, 2),
        )
    )


def luck_learner_copy() -> bytes:
    return to_bytes(
        make_notebook(
            make_answer_cell("answer", SOLUTION, stub=True),
            make_test_cell("test_answer", STEADY, 2),
            make_test_cell("test_luck", LUCK, 2),
        )
    )
