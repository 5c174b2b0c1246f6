"""Which events count: newest version whatever the arrival, overrides that say why and who, the freeze (records/counting.py)."""

from __future__ import annotations

import pytest

from tests.records.histories import (
    AFTER,
    BEFORE,
    FREEZE_AT,
    PASSING_STATS,
    at,
    course_of,
    exam,
    freeze,
    grade,
    make_programme,
    outcome,
    override,
    proctoring,
    record_of,
)


def test_an_override_with_reason_and_author_sets_the_grade_and_the_newest_wins() -> None:
    changes = (*PASSING_STATS, override("stats", 95, version=2), override("stats", 40, version=1))
    stats = course_of(record_of(*changes), "stats")
    assert (stats.grade, stats.letter, stats.overridden) == (95.0, "A", True)
    assert outcome(record_of(*reversed(changes))) == outcome(record_of(*changes))


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
