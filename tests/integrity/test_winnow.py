"""Winnowing: long enough matches always share a fingerprint, and hashes never depend on the process."""

from __future__ import annotations

import random
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from integrity.normalise import Token, code_tokens
from integrity.winnow import WINDOW, K, kgram_prints, statement_prints, winnow
from tests.conftest import ROOT

ALPHABET = ["V", "=", "(", ")", "+", "N", ";", "for", "in", ":", "if"]


def stream(texts: list[str]) -> list[Token]:
    return [Token(text, i + 1) for i, text in enumerate(texts)]


@given(
    st.lists(st.sampled_from(ALPHABET), max_size=40),
    st.lists(st.sampled_from(ALPHABET), min_size=K + WINDOW - 1, max_size=30),
    st.lists(st.sampled_from(ALPHABET), max_size=40),
)
def test_a_shared_run_of_k_plus_window_minus_one_tokens_always_shares_a_fingerprint(
    before: list[str], shared: list[str], after: list[str]
) -> None:
    a = {p.hash for p in winnow(kgram_prints(stream(before + shared)))}
    b = {p.hash for p in winnow(kgram_prints(stream(shared + after)))}
    assert a & b


def test_winnowing_keeps_about_two_in_window_plus_one() -> None:
    rng = random.Random(7)
    grams = kgram_prints(stream([rng.choice(ALPHABET) + str(rng.randrange(50)) for _ in range(5000)]))
    kept = len(winnow(grams)) / len(grams)
    assert 1.5 / (WINDOW + 1) < kept < 2.5 / (WINDOW + 1)


def test_a_short_answer_is_one_fingerprint_of_itself() -> None:
    assert len(winnow(kgram_prints(stream(["V", "=", "N"])))) == 1
    assert winnow(kgram_prints([])) == []


def test_statements_are_fingerprinted_wherever_they_stand() -> None:
    one = stream(["V", "=", "V", "+", "N", ";", "V", "=", "len", "(", "V", ")", ";"])
    two = stream(["V", "=", "len", "(", "V", ")", ";", "V", "=", "V", "+", "N", ";"])
    assert {p.hash for p in statement_prints(one)} == {p.hash for p in statement_prints(two)}


def test_hashes_are_the_same_in_another_process() -> None:
    code = (
        "from integrity.normalise import code_tokens; from integrity.winnow import kgram_prints;"
        "print([p.hash for p in kgram_prints(code_tokens('total = sum(x * 2 for x in xs)'))])"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
        ).stdout
        for seed in ("1", "2")
    }
    here = str([p.hash for p in kgram_prints(code_tokens("total = sum(x * 2 for x in xs)"))]) + "\n"
    assert runs == {here}
