"""Comparing two submissions: scores per kind, spans on the learners' own lines, both ways alike."""

from __future__ import annotations

from collections import Counter

from integrity.answers import CODE, TEXT, Answer, Template
from integrity.cohort import Cohort
from integrity.compare import compare
from integrity.prints import CellPrints, fingerprint

EMPTY = Template(frozenset(), frozenset())
ALONE = Cohort(2, Counter())
A = """total = 0
scaled = [x * 3 for x in data if x > limit]
top = sorted(scaled, reverse=True)[:5]
result = total + len(top) // 2 - max(top, default=0)
"""
B = """# copied, with a comment
acc = 10
big = []
for v in values:
    if v > cap:
        big.append(v * 3)
best = sorted(big, reverse=True)[:9]
result = acc + len(best) // 2 - max(best, default=0)
"""
OTHER = """while n > 1:
    n = n // 2
counts = {k: items.count(k) for k in items}
"""
ESSAY = (
    "The loop visits every value once, so the cost grows linearly with the size of the input list. "
    "Memory stays constant because only two counters are kept while the loop runs."
)


def prints(code: str, prose: str = "") -> dict[str, CellPrints]:
    answers = [Answer("nb::q", CODE, code)] + ([Answer("nb::essay", TEXT, prose)] if prose else [])
    return fingerprint(answers, EMPTY)


def test_a_disguised_copy_scores_one_and_unrelated_code_scores_nothing() -> None:
    assert compare(prints(A), prints(B), ALONE).code_score == 1.0
    assert compare(prints(A), prints(OTHER), ALONE).score == 0.0


def test_spans_point_at_each_learners_own_lines() -> None:
    (cell,) = compare(prints(A), prints(B), ALONE).cells
    assert cell.spans
    assert all(1 <= s.a_first <= s.a_last <= 4 and 2 <= s.b_first <= s.b_last <= 8 for s in cell.spans)
    assert min(s.b_first for s in cell.spans) == 2


def test_the_score_is_the_same_both_ways() -> None:
    one, two = prints(A), prints(A.replace("sorted", "reversed"))
    assert compare(one, two, ALONE).score == compare(two, one, ALONE).score


def test_markdown_is_scored_apart_and_counts_once_there_is_enough() -> None:
    report = compare(prints(A, ESSAY), prints(OTHER, ESSAY.upper()), ALONE)
    assert (report.code_score, report.text_score, report.score) == (0.0, 1.0, 1.0)
    short = compare(prints(A, "Yes, it is linear."), prints(OTHER, "yes it is linear"), ALONE)
    assert short.text_score == 1.0 and short.score == 0.0


def test_answers_only_one_learner_gave_are_not_compared() -> None:
    report = compare(prints(A), {}, ALONE)
    assert report.cells == () and report.score == 0.0
