"""An exam's LTI score rows (store/lti_exam_scores.py), on SQLite and PostgreSQL: the learner's standing
(best or latest counting attempt) written when an attempt starts or stops counting or a counting one
is regraded, a cleared score when none counts, one row per platform course the exam reaches (a
launch's line item winning over a deep link's), and nothing for anyone else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.lti_registrations import register_platform
from store import AssignmentRecord, ExamRecord, Store
from tests.store.test_lti import FIELDS
from tests.web.reports import grade

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
LINE = "lti:lms"
FALL = "https://lms.example/fall/exam/1"
MakeAssignment = Callable[..., AssignmentRecord]


def exam(store: Store, placed: tuple[str, ...] = (), **rules: Any) -> ExamRecord:
    """An exam of ds101 with these LMS rules, deep-linked into the ``placed`` courses of platform lms,
    then launched from its ``fall`` course (whose line item the launch names)."""
    register_platform(store, FIELDS)
    text = "".join(f"{name}: {str(value).lower()}\n" for name, value in rules.items())
    added = store.add_exam("ds101", "final", "Final", "final.yaml", text or "title: Final\n", {})
    for context in placed:
        container = f"https://lms.example/{context}/li"
        store.place_deep_link("lms", context, "exam", added.id, f"exam:{added.id}", container, NOW)
    store.record_exam_line_item("lms", "fall", added.id, FALL)
    return added


def sit(
    store: Store,
    make_assignment: MakeAssignment,
    exam: ExamRecord,
    points: float,
    learner: str = "lti:lms:u1",
) -> str:
    """Start, submit and grade one attempt; the exam's standing moves only by the test's later events."""
    attempt = store.create_attempt(exam.id, learner, "seed", {}, 1.0, 5, None, NOW)
    questions = make_assignment(name=f"exam {attempt.id}", exam_attempt_id=attempt.id)
    changes = {"started_at": NOW, "deadline_at": NOW + timedelta(hours=1), "assignment_id": questions.id}
    store.apply_event(attempt.id, "start", learner, "", NOW, changes=changes)
    _, submission_id = store.submit_attempt(
        attempt.id, "submit", learner, "", NOW, NOW, "answers.zip", b"zip"
    )
    grade(store, submission_id, points)
    return attempt.id


def scores(store: Store) -> list[tuple[str, float | None, str, str]]:
    """Each exam score row written: where, the score given, the grading progress, the timestamp."""
    return [
        (row.url, row.payload.get("scoreGiven"), row.payload["gradingProgress"], row.payload["timestamp"])
        for row in store.list_deliveries(platform_id=LINE)
    ]


def graded(store: Store, attempt_id: str, minutes: int) -> None:
    store.apply_event(attempt_id, "grade", "grader", "", NOW + timedelta(minutes=minutes))


def at(minutes: int) -> str:
    return (NOW + timedelta(minutes=minutes)).isoformat()


@pytest.mark.parametrize(("policy", "second"), [("best", 1.5), ("latest", 0.5)])
def test_an_unproctored_exam_sends_the_best_or_the_latest_counting_attempt_when_one_is_graded(
    store: Store, make_assignment: MakeAssignment, policy: str, second: float
) -> None:
    final = exam(store, requires_proctoring=False, lms_score=policy)
    first, then = sit(store, make_assignment, final, 1.5), sit(store, make_assignment, final, 0.5)
    assert scores(store) == []  # submitted and graded, but no attempt counts until its grade event
    graded(store, first, 1)
    graded(store, then, 2)
    url = FALL + "/scores"
    assert scores(store) == [(url, 1.5, "FullyGraded", at(1)), (url, second, "FullyGraded", at(2))]


def test_a_proctored_exam_is_sent_when_verified_and_cleared_when_reopened(
    store: Store, make_assignment: MakeAssignment
) -> None:
    final = exam(store)  # the spec's default: requires proctoring
    attempt = sit(store, make_assignment, final, 2.0)
    graded(store, attempt, 1)
    assert scores(store) == []  # graded, not verified: it does not count yet
    store.apply_event(attempt, "verify", "prof", "clean", NOW + timedelta(minutes=2))
    store.apply_event(attempt, "reopen", "prof", "a second look", NOW + timedelta(minutes=3))
    url = FALL + "/scores"
    assert scores(store) == [(url, 2.0, "FullyGraded", at(2)), (url, None, "NotReady", at(3))]
    cleared = store.list_deliveries(platform_id=LINE)[-1].payload
    assert cleared["userId"] == "u1" and "scoreGiven" not in cleared and "comment" in cleared


def test_a_regrade_of_a_counting_attempt_resends_the_standing_and_of_another_sends_nothing(
    store: Store, make_assignment: MakeAssignment
) -> None:
    final = exam(store)
    counting, waiting = sit(store, make_assignment, final, 1.0), sit(store, make_assignment, final, 0.5)
    graded(store, counting, 1)
    store.apply_event(counting, "verify", "prof", "clean", NOW + timedelta(minutes=2))
    for attempt, points in ((waiting, 2.0), (counting, 1.5)):
        submission_id = store.get_attempt(attempt).submission_id
        assert submission_id is not None
        store.reopen_for_regrade(submission_id)
        grade(store, submission_id, points)
    assert [given for _, given, _, _ in scores(store)] == [1.0, 1.5]  # the unverified attempt's regrade: none


def test_a_launchs_line_item_wins_over_a_deep_links_and_each_platform_course_gets_a_row(
    store: Store, make_assignment: MakeAssignment
) -> None:
    final = exam(store, placed=("fall", "spring"), requires_proctoring=False)
    graded(store, sit(store, make_assignment, final, 2.0), 1)
    assert [url for url, _, _, _ in scores(store)] == [
        FALL + "/scores",
        "https://lms.example/spring/li?resource_id=exam%3A" + final.id,
    ]


@pytest.mark.parametrize("learner", ["alice", "lti:other:u1", "lti:nosuch:u1"])
def test_nothing_is_written_for_a_learner_not_from_the_exams_platforms(
    store: Store, make_assignment: MakeAssignment, learner: str
) -> None:
    final = exam(store, requires_proctoring=False)
    register_platform(store, {**FIELDS, "id": "other", "issuer": "https://other.example"})
    graded(store, sit(store, make_assignment, final, 2.0, learner), 1)
    assert store.list_deliveries() == []


def test_nothing_is_written_for_an_exam_the_platform_has_no_line_item_for(
    store: Store, make_assignment: MakeAssignment
) -> None:
    register_platform(store, FIELDS)
    unlinked = store.add_exam("ds101", "quiz", "Quiz", "quiz.yaml", "requires_proctoring: false\n", {})
    graded(store, sit(store, make_assignment, unlinked, 2.0), 1)
    assert store.list_deliveries() == []
