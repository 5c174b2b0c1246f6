"""A course's grade from what counts: weights, thresholds, rounding, letters, exams and attempts (records/grading.py)."""

from __future__ import annotations

import pytest

from tests.records.histories import (
    course_of,
    exam,
    grade,
    make_programme,
    override,
    proctoring,
    record_of,
)


def test_a_course_grade_weighs_the_assignment_share_and_the_exam() -> None:
    stats = course_of(
        record_of(grade("stats", "hw1", 10), exam("stats", 50), proctoring("stats", "verified")), "stats"
    )
    assert (stats.assignments, stats.exam, stats.exam_verified) == (1.0, 0.5, True)
    assert (stats.grade, stats.letter, stats.passed) == (70.0, "C", True)  # 100 × (0.4 × 1 + 0.6 × 0.5)


def test_each_assignment_weighs_the_same_whatever_its_points() -> None:
    ml = course_of(record_of(grade("ml", "hw1", 1, 1), grade("ml", "hw2", 0, 99), exam("ml", 100)), "ml")
    assert (ml.assignments, ml.grade) == (0.5, 75.0)


@pytest.mark.parametrize(("exam_score", "passed"), [(33, False), (34, True)])
def test_a_course_is_passed_at_its_threshold(exam_score: int, passed: bool) -> None:
    # ml: 0.5 × hw + 0.5 × exam; hw 0.66 → 33 + 16.5/17 → 49.5 and 50.0 against a threshold of 50
    ml = course_of(record_of(grade("ml", "hw1", 6.6), exam("ml", exam_score)), "ml")
    assert ml.grade == {33: 49.5, 34: 50.0}[exam_score]
    assert ml.passed is passed


def test_rounding_is_half_up_in_decimal_not_float() -> None:
    programme = make_programme(rounding=0)
    ml = course_of(record_of(grade("ml", "hw1", 6.9), exam("ml", 100), programme=programme), "ml")
    assert ml.grade == 85.0  # 84.5 exactly, where round() would go half to even, to 84


def test_grade_arithmetic_is_exact_so_a_half_is_not_lost_to_floats() -> None:
    ml = course_of(record_of(grade("ml", "hw1", 1, 1000), exam("ml", 18)), "ml")
    assert ml.grade == 9.1  # 9.05 exactly; in floats 9.049999999999999, which rounds to 9.0


def test_letters_follow_the_bands_of_the_rounded_grade() -> None:
    stats = course_of(
        record_of(grade("stats", "hw1", 9.7375), exam("stats", 85), proctoring("stats", "verified")), "stats"
    )
    assert (stats.grade, stats.letter) == (90.0, "A")  # 89.95 rounds to 90.0, an A


def test_a_course_without_a_counted_exam_is_not_yet_graded() -> None:
    stats = course_of(record_of(grade("stats", "hw1", 10)), "stats")
    assert (stats.assignments, stats.exam, stats.grade, stats.letter, stats.passed) == (
        1.0,
        None,
        None,
        None,
        False,
    )


@pytest.mark.parametrize("states", [(), ("rejected",), ("second_review",), ("verified", "rejected")])
def test_a_required_verified_exam_counts_only_when_its_latest_review_verifies_it(
    states: tuple[str, ...],
) -> None:
    reviews = [proctoring("stats", state, version=v) for v, state in enumerate(states, start=1)]
    stats = course_of(record_of(grade("stats", "hw1", 10), exam("stats", 90), *reviews), "stats")
    assert (stats.exam, stats.grade, stats.passed, stats.exam_verified) == (None, None, False, False)


def test_a_rejected_attempt_never_counts_even_when_it_is_the_best() -> None:
    stats = course_of(
        record_of(
            exam("stats", 95, "a1"),
            proctoring("stats", "rejected", "a1"),
            exam("stats", 65, "a2"),
            proctoring("stats", "verified", "a2"),
        ),
        "stats",
    )
    assert (stats.exam, stats.exam_verified) == (0.65, True)
    assert [s["attempt_id"] for s in stats.sources if s["role"] in ("exam", "proctoring")] == ["a2", "a2"]


def test_an_exam_not_required_to_be_verified_counts_and_says_it_is_not() -> None:
    ml = course_of(record_of(grade("ml", "hw1", 10), exam("ml", 60)), "ml")
    assert (ml.grade, ml.exam_verified, ml.passed) == (80.0, False, True)


def test_only_the_named_exam_counts() -> None:
    stats = course_of(
        record_of(
            grade("stats", "midterm", 100, 100, kind="exam", submission="m1"),
            proctoring("stats", "verified", "m1"),
        ),
        "stats",
    )
    assert stats.exam is None


@pytest.mark.parametrize(("policy", "counted"), [("best", 0.9), ("latest", 0.5)])
def test_best_or_latest_attempt_by_policy(policy: str, counted: float) -> None:
    programme = make_programme(attempts=policy)
    record = record_of(
        grade("ml", "hw1", 5, submission="s2", received_at="2026-03-02T00:00:00Z"),
        grade("ml", "hw1", 9, submission="s1", received_at="2026-03-01T00:00:00Z"),
        programme=programme,
    )
    assert course_of(record, "ml").assignments == counted


def test_a_listed_assignment_without_a_grade_counts_as_zero_and_says_so() -> None:
    viz = course_of(record_of(grade("viz", "hw1", 10)), "viz")
    assert (viz.assignments, viz.grade, viz.passed) == (0.5, 50.0, False)
    assert {"role": "missing", "item": "hw2"} in viz.sources


def test_an_override_still_needs_the_verified_exam_the_programme_requires() -> None:
    stats = course_of(record_of(override("stats", 95)), "stats")
    assert (stats.grade, stats.passed) == (95.0, False)
