"""An answer's fingerprints: only what the learner wrote, each statement too, stored as plain JSON that reads back equal."""

from __future__ import annotations

import nbformat

from integrity.answers import CODE, Answer, Template, answers_of, template_of, tokens_of
from integrity.prints import CellPrints, fingerprint, from_dict, to_dict
from integrity.winnow import Print, statement_prints
from tests.integrity import corpus
from tests.integrity.corpus import NOTEBOOK, assignment

TRUSTED = assignment()
NO_TEMPLATE = Template(frozenset(), frozenset())


def filled(**answers: str) -> nbformat.NotebookNode:
    return corpus.filled(TRUSTED, **answers)


def test_starter_code_leaves_no_fingerprint_only_what_the_learner_added_does() -> None:
    skeleton = (
        "def stats(data, limit):\n    result = []\n    for item in data:\n        pass\n    return result\n"
    )
    prints = fingerprint(answers_of(TRUSTED, {NOTEBOOK: filled(stats=skeleton)}), template_of(TRUSTED))
    assert {p.last for p in prints["hw.ipynb::stats"].prints} == {5}  # only around what they added


def test_stored_fingerprints_read_back_the_same() -> None:
    answers = answers_of(
        TRUSTED, {NOTEBOOK: filled(count="def count(data, limit):\n    n = len(data) * 3\n    return n\n")}
    )
    prints = fingerprint(answers, template_of(TRUSTED))
    assert from_dict(to_dict(prints)) == prints
    assert prints["hw.ipynb::count"].prints


def test_a_reordered_answer_keeps_its_statements_prints() -> None:
    first = "def f(data):\n    total = sum(data) * 17 + 3\n    count = len(data) - 1 + 99\n    return total\n"
    swapped = (
        "def f(data):\n    count = len(data) - 1 + 99\n    total = sum(data) * 17 + 3\n    return total\n"
    )
    a, b = (
        fingerprint([Answer("hw.ipynb::f", CODE, text)], NO_TEMPLATE)["hw.ipynb::f"]
        for text in (first, swapped)
    )
    statements = {p.hash for p in statement_prints(tokens_of(CODE, first))}
    assert (
        len(statements) >= 2 and statements <= a.hashes & b.hashes
    )  # each a print of its own, wherever it stands


def test_the_stored_form_is_plain_json_in_key_order_and_the_hash_set_follows_the_prints() -> None:
    cells = {
        "b": CellPrints(CODE, "y = 2", (Print(5, 1, 1), Print(9, 2, 3))),
        "a": CellPrints(CODE, "x = 1", ()),
    }
    stored = to_dict(cells)
    assert list(stored) == ["a", "b"] and stored["b"]["prints"] == [[5, 1, 1], [9, 2, 3]]
    assert from_dict(stored)["b"].hashes == frozenset({5, 9})
