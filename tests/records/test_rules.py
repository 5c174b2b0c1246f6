"""The programme's rules, example by example: weights, thresholds, exams, attempts, overrides, freeze."""

from __future__ import annotations

import pytest

from records.compute import compute_record
from records.explain import explain
from tests.records.histories import (
    AFTER,
    BEFORE,
    FREEZE_AT,
    at,
    course_of,
    exam,
    freeze,
    grade,
    history,
    make_programme,
    outcome,
    override,
    proctoring,
    record_of,
)

PASSING_STATS = (
    grade("stats", "hw1", 8),
    grade("stats", "hw2", 6),
    exam("stats", 70),
    proctoring("stats", "verified"),
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


def test_completion_needs_every_required_course_and_enough_electives() -> None:
    required = (*PASSING_STATS, grade("ml", "hw1", 10), exam("ml", 50))
    without = record_of(*required)
    assert [c.passed for c in without.courses] == [True, True, False, False]
    assert (without.complete, without.credit_eligible, without.credits_earned) == (False, False, 8.0)
    done = record_of(*required, exam("nlp", 60))
    assert (done.complete, done.credit_eligible, done.credits_earned) == (True, True, 10.0)
    no_ml = record_of(*PASSING_STATS, exam("nlp", 60), grade("viz", "hw1", 10), grade("viz", "hw2", 10))
    assert (no_ml.credits_earned, no_ml.complete) == (8.0, False)


def test_an_override_with_reason_and_author_sets_the_grade_and_the_newest_wins() -> None:
    changes = (*PASSING_STATS, override("stats", 95, version=2), override("stats", 40, version=1))
    stats = course_of(record_of(*changes), "stats")
    assert (stats.grade, stats.letter, stats.overridden) == (95.0, "A", True)
    assert outcome(record_of(*reversed(changes))) == outcome(record_of(*changes))


def test_an_override_still_needs_the_verified_exam_the_programme_requires() -> None:
    stats = course_of(record_of(override("stats", 95)), "stats")
    assert (stats.grade, stats.passed) == (95.0, False)


@pytest.mark.parametrize(("reason", "author"), [("", "prof-lee"), ("appeal", " ")])
def test_an_override_without_reason_or_author_is_ignored_and_says_so(reason: str, author: str) -> None:
    stats = course_of(record_of(*PASSING_STATS, override("stats", 20, reason=reason, author=author)), "stats")
    assert (stats.grade, stats.overridden) == (70.0, False)
    assert [s["role"] for s in stats.sources][-1] == "ignored"


def test_an_override_of_another_field_is_ignored() -> None:
    change = override("stats", 20)
    change["body"]["field"] = "credits"
    stats = course_of(record_of(*PASSING_STATS, change), "stats")
    assert (stats.grade, stats.overridden, stats.sources[-1]["role"]) == (70.0, False, "ignored")


def test_an_older_grade_arriving_after_a_newer_one_never_replaces_it() -> None:
    ml = course_of(record_of(grade("ml", "hw1", 9, version=3), grade("ml", "hw1", 2, version=1)), "ml")
    assert ml.assignments == 0.9
    assert [s["version"] for s in ml.sources] == [3]


def test_equal_versions_that_disagree_settle_the_same_way_either_way_and_are_flagged() -> None:
    one, two = grade("ml", "hw1", 3), grade("ml", "hw1", 7)
    first, second = course_of(record_of(one, two), "ml"), course_of(record_of(two, one), "ml")
    assert first.assignments == second.assignments
    assert first.sources[0]["conflict"] is True


def test_after_a_freeze_an_unexplained_regrade_is_held_and_an_explained_one_applies() -> None:
    base = (at(grade("ml", "hw1", 4), BEFORE), at(exam("ml", 50), BEFORE), at(freeze(), FREEZE_AT))
    held = record_of(*base, at(grade("ml", "hw1", 10, version=2), AFTER))
    assert held.frozen is True
    ml = course_of(held, "ml")
    assert (ml.assignments, ml.grade) == (0.4, 45.0)
    assert [(s["role"], s["version"]) for s in ml.sources if s["role"] == "held"] == [("held", 2)]
    explained = record_of(*base, at(grade("ml", "hw1", 10, version=2, reason="rubric error fixed"), AFTER))
    assert course_of(explained, "ml").grade == 75.0


def test_the_freeze_depends_on_when_it_was_recorded_not_when_it_arrived() -> None:
    late_freeze = record_of(
        at(grade("ml", "hw1", 10), AFTER), at(exam("ml", 50), BEFORE), at(freeze(), FREEZE_AT)
    )
    ml = course_of(late_freeze, "ml")
    assert (ml.assignments, ml.grade) == (None, 25.0)  # the only assignment grade came after it


def test_the_programmes_freeze_at_holds_changes_and_overrides_still_apply() -> None:
    programme = make_programme(freeze_at=FREEZE_AT)
    record = record_of(
        at(exam("ml", 50), BEFORE),
        at(proctoring("nlp", "verified"), AFTER),
        at(exam("ml", 90, "a2"), AFTER),
        at(override("nlp", 88), AFTER),
        programme=programme,
    )
    assert record.frozen is True
    assert (course_of(record, "ml").exam, course_of(record, "nlp").grade) == (0.5, 88.0)
    before = record_of(at(exam("ml", 50), BEFORE), programme=programme)
    assert before.frozen is False


def test_a_record_is_bound_to_the_last_event_of_its_history() -> None:
    events = history(*PASSING_STATS)
    record = compute_record(make_programme(), "ada", events)
    assert (record.last_seq, record.history_hash) == (4, events[-1].hash)


def test_a_stranger_in_the_history_is_refused() -> None:
    with pytest.raises(ValueError, match="'bob'"):
        compute_record(make_programme(), "ada", history(grade("ml", "hw1", 1), learner="bob"))


def test_explain_traces_each_number_to_its_submission_image_and_rubric() -> None:
    programme = make_programme(freeze_at=FREEZE_AT)
    lines = explain(
        record_of(
            *PASSING_STATS,
            override("ml", 55),
            at(grade("viz", "hw1", 3), AFTER),
            programme=programme,
        )
    )
    text = "\n".join(lines)
    assert lines[0].startswith(
        "Data Science MicroMasters for ada: 2 of 4 courses passed, 8 credits; complete: no"
    )
    assert "stats (required, 4 credits): grade 70 (C), passed" in text
    assert "rule: 100 × (0.4 × assignments + 0.6 × exam), best attempt, rounded half up to 1 decimals" in text
    assert "assignment hw1: 8/10 from s1 (event 1 at" in text
    assert "submission_sha256 sha-s1, sandbox_image sandbox@sha256:abc, rubric_version r1" in text
    assert "proctoring of a1: verified" in text
    assert "override to 55 by prof-lee: appeal upheld" in text
    assert "grade hw1 held by the freeze (no reason given)" in text
    assert "assignment hw2: no grade, counts as 0" in text


def test_explain_names_who_graded_by_hand_and_who_changed_a_grade_not_the_programmes_id() -> None:
    hand_graded = grade(
        "ml",
        "hw1",
        9,
        version=2,
        hand_graded=[{"grade_id": "essay", "by": "prof-lee"}],
        author="prof-lee",
        reason="a clear argument",
    )
    lines = explain(record_of(hand_graded, programme=make_programme()))
    text = "\n".join(lines)
    assert lines[0].startswith("Data Science MicroMasters for ada:") and "ds-micromasters" not in lines[0]
    assert (
        "assignment hw1: 9/10, cell essay graded by prof-lee; changed by prof-lee: a clear argument; from s1"
        in text
    )
    plain = "\n".join(explain(record_of(grade("ml", "hw1", 9), programme=make_programme())))
    assert (
        "assignment hw1: 9/10 from s1" in plain and "graded by" not in plain
    )  # the machine's grade names nobody


def test_a_record_keeps_its_programmes_title() -> None:
    record = record_of(programme=make_programme())
    assert (record.programme_id, record.programme_title) == ("ds-micromasters", "Data Science MicroMasters")
    assert type(record).from_dict(record.to_dict()) == record


def test_an_empty_history_gives_an_empty_record() -> None:
    record = record_of()
    assert (record.complete, record.credits_earned, record.last_seq, record.frozen) == (False, 0.0, 0, False)
    assert outcome(record)["courses"][0]["grade"] is None
