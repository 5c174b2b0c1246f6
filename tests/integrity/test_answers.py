"""Answers per graded cell: matched by grade id, starter code and outputs left out, prose apart."""

from __future__ import annotations

import nbformat

from integrity.answers import CODE, TEXT, answers_of
from tests.integrity import corpus
from tests.integrity.corpus import NOTEBOOK, assignment

TRUSTED = assignment()


def filled(**answers: str) -> nbformat.NotebookNode:
    return corpus.filled(TRUSTED, **answers)


def test_answers_are_keyed_by_notebook_and_grade_id_with_their_kind() -> None:
    found = answers_of(
        TRUSTED, {NOTEBOOK: filled(count="def count(data, limit):\n    return 1\n", explain="Because.")}
    )
    assert [(a.key, a.kind) for a in found] == [("hw.ipynb::count", CODE), ("hw.ipynb::explain", TEXT)]


def test_an_answer_left_as_its_starter_code_is_no_answer() -> None:
    assert answers_of(TRUSTED, {NOTEBOOK: filled()}) == []


def test_answers_are_found_by_grade_id_wherever_the_learner_moved_them() -> None:
    nb = filled(count="def count(data, limit):\n    return 1\n")
    nb.cells.reverse()
    assert [a.key for a in answers_of(TRUSTED, {NOTEBOOK: nb})] == ["hw.ipynb::count"]


def test_outputs_are_never_read() -> None:
    nb = filled(count="def count(data, limit):\n    return 1\n")
    plain = answers_of(TRUSTED, {NOTEBOOK: nb})
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="a copied output\n" * 50)]
    assert answers_of(TRUSTED, {NOTEBOOK: nb}) == plain


def test_a_missing_notebook_gives_no_answers() -> None:
    assert answers_of(TRUSTED, {}) == []
