"""What a learner must never read of a hidden test is found, and redacted from any text."""

from __future__ import annotations

from grader.secrets_filter import REDACTED, hidden_fragments, redact
from tests.builders import make_answer_cell, make_test_cell

HIDDEN = (
    "assert square(2) == 4\n"
    "### BEGIN HIDDEN TESTS\n"
    "assert square(12345) == 152399025, 'the secret message'\n"
    "x = 1\n"
    "### END HIDDEN TESTS\n"
)


def test_hidden_lines_and_their_literals_are_fragments_and_visible_ones_are_not() -> None:
    fragments = hidden_fragments([make_test_cell("t", HIDDEN)])
    assert "assert square(12345) == 152399025, 'the secret message'" in fragments
    assert {"12345", "152399025", "the secret message"} <= set(fragments)
    assert "x = 1" not in fragments  # too short a line to be worth hiding
    assert not any("square(2)" in fragment for fragment in fragments)
    assert [len(f) for f in fragments] == sorted((len(f) for f in fragments), reverse=True)


def test_only_test_cells_give_fragments() -> None:
    answer = make_answer_cell("a", "### BEGIN HIDDEN TESTS\nsecret = 'abcdef'\n### END HIDDEN TESTS")
    assert hidden_fragments([answer]) == ()


def test_literals_are_found_even_when_the_hidden_region_does_not_parse() -> None:
    broken = "### BEGIN HIDDEN TESTS\nassert f( == 'the answer is'\n### END HIDDEN TESTS"
    assert "the answer is" in hidden_fragments([make_test_cell("t", broken)])


def test_redaction_hides_the_longest_fragment_first() -> None:
    fragments = hidden_fragments([make_test_cell("t", HIDDEN)])
    shown = "AssertionError: assert square(12345) == 152399025, 'the secret message' (got 152399025)"
    redacted = redact(shown, fragments)
    assert "12345" not in redacted and "152399025" not in redacted and "secret" not in redacted
    assert redacted == f"AssertionError: {REDACTED} (got {REDACTED})"
    assert redact("nothing hidden here", fragments) == "nothing hidden here"
