"""The gradebook statistics (web/pages/gradebook.py): the histogram's bins and each test's pass rate."""

from __future__ import annotations

from grader.stored_report import StoredCell, StoredReport
from web.pages.gradebook import histogram, pass_rates


def test_the_histogram_puts_a_full_score_in_the_last_bin_and_scales_to_the_tallest() -> None:
    bars = histogram([0, 1, 2, 2, 2], max_score=2, bins=4)
    assert [b.count for b in bars] == [1, 0, 1, 3]
    assert bars[3].height > bars[0].height > 0 and bars[1].height == 0


def test_a_small_whole_maximum_gets_a_bar_per_point() -> None:
    bars = histogram([0, 6, 5, 9, 9], max_score=9)
    assert [b.label for b in bars] == [str(i) for i in range(10)]
    assert [b.count for b in bars] == [1, 0, 0, 0, 0, 1, 1, 0, 0, 2]


def test_pass_rates_flag_a_test_most_learners_fail() -> None:
    rubric = [
        {"notebook": "hw", "grade_id": "easy", "points": 1, "kind": "test"},
        {"notebook": "hw", "grade_id": "hard", "points": 1, "kind": "test"},
        {"notebook": "hw", "grade_id": "essay", "points": 2, "kind": "manual"},
    ]

    def report(easy: float, hard: float) -> StoredReport:
        cells = (StoredCell("hw", "easy", easy, 1, "partial"), StoredCell("hw", "hard", hard, 1, "partial"))
        return StoredReport(easy + hard, 2, cells=cells)

    rates = pass_rates(rubric, [report(1, 0), report(1, 0), report(1, 1)])
    assert [(r.grade_id, r.passed, r.graded, r.stands_out) for r in rates] == [
        ("easy", 3, 3, False),
        ("hard", 1, 3, True),
    ]
