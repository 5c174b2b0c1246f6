"""The exam store: one exam per name and course, attempts capped even under a race, work saved only while started."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grader.errors import AutogradeError, BadInput, Conflict, Forbidden, IllegalTransition, NotFound
from store import ExamRecord, Store
from store.rows import REVIEW_OUTCOMES

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def exam(store: Store) -> ExamRecord:
    return store.add_exam(
        "ds101", "midterm", "Midterm", "midterm.yaml", "name: midterm\n", {"q1.ipynb": b"{}"}
    )


@pytest.fixture
def provider(store: Store) -> str:
    return store.create_platform("proctorio", "Proctorio", None, ["ds101"]).id


def attempt(store: Store, exam: ExamRecord, learner: str = "alice", allowed: int = 2) -> Any:
    return store.create_attempt(exam.id, learner, "seed", {"q1": 1}, 1.0, allowed, "10.0.0.1", NOW)


def test_an_exam_name_is_unique_in_its_course_only(store: Store, exam: ExamRecord) -> None:
    with pytest.raises(Conflict, match="already has an exam named 'midterm'"):
        store.add_exam("ds101", "midterm", "Again", "x.yaml", "", {})
    other = store.add_exam("ml", "midterm", "Midterm", "x.yaml", "", {})
    assert [e.id for e in store.list_exams("ds101")] == [exam.id] and other.course == "ml"
    assert store.exam_files(exam.id) == {"q1.ipynb": b"{}"}


def test_an_unknown_exam_or_attempt_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_exam("nope")
    with pytest.raises(NotFound):
        store.get_attempt("nope")
    with pytest.raises(NotFound):
        store.apply_event("nope", "start", "alice", "", NOW)


def test_attempts_are_numbered_and_refused_past_the_allowance(store: Store, exam: ExamRecord) -> None:
    first, second = attempt(store, exam), attempt(store, exam)
    assert (first.number, second.number, first.state) == (1, 2, "created")
    with pytest.raises(Forbidden, match="all 2 attempt"):
        attempt(store, exam)
    assert store.attempts_used(exam.id, "alice") == 2 and attempt(store, exam, learner="bob").number == 1


def test_concurrent_attempts_never_exceed_the_allowance(store: Store, exam: ExamRecord) -> None:
    def try_one(_: int) -> str:
        try:
            attempt(store, exam, allowed=1)
        except Forbidden:
            return "refused"
        return "created"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(try_one, range(6)))
    assert outcomes.count("created") == 1 and store.attempts_used(exam.id, "alice") == 1


def test_an_event_the_state_does_not_allow_is_refused_and_changes_nothing(
    store: Store, exam: ExamRecord
) -> None:
    created = attempt(store, exam)
    with pytest.raises(IllegalTransition):
        store.apply_event(created.id, "submit", "alice", "", NOW)
    assert store.get_attempt(created.id).state == "created"
    started = store.apply_event(
        created.id, "start", "alice", "", NOW, {"deadline_at": NOW + timedelta(hours=1)}
    )
    assert started.state == "started"
    assert [e.event for e in store.attempt_events(created.id)] == ["create", "start"]


def test_work_is_saved_only_while_the_attempt_is_started(store: Store, exam: ExamRecord) -> None:
    created = attempt(store, exam)
    with pytest.raises(Conflict, match="only be saved while it is started"):
        store.save_answer(created.id, "q1.ipynb", b"early", NOW)
    store.apply_event(created.id, "start", "alice", "", NOW)
    store.save_answer(created.id, "q1.ipynb", b"v1", NOW)
    store.save_answer(created.id, "q1.ipynb", b"v2", NOW + timedelta(minutes=1))
    assert store.attempt_answers(created.id) == {"q1.ipynb": (b"v2", NOW + timedelta(minutes=1))}


def test_an_amendment_needs_the_state_it_expects(store: Store, exam: ExamRecord) -> None:
    created = attempt(store, exam)
    with pytest.raises(Conflict, match="this needs it to be started"):
        store.amend_attempt(
            created.id, "started", "extend", "prof", "fire alarm", NOW, {"extension_seconds": 600.0}
        )
    assert store.get_attempt(created.id).extension_seconds == 0.0


def test_an_attempt_without_questions_cannot_be_submitted_and_leaves_no_submission(
    store: Store, exam: ExamRecord
) -> None:
    created = attempt(store, exam)
    store.apply_event(created.id, "start", "alice", "", NOW)
    with pytest.raises(Conflict, match="no questions"):
        store.submit_attempt(created.id, "submit", "alice", "", NOW, NOW, "exam.zip", b"zip")
    assert (
        store.get_attempt(created.id).state == "started"
        and store.get_attempt(created.id).submission_id is None
    )


def test_a_repeated_review_id_returns_the_first_review(store: Store, exam: ExamRecord, provider: str) -> None:
    created = attempt(store, exam)
    first, new = store.add_review(created.id, "proctorio", "r-1", "clean", [], "", NOW)
    again, repeated = store.add_review(created.id, "proctorio", "r-1", "violation", [], "", NOW)
    assert (new, repeated) == (True, False) and again == first and again.outcome == "clean"
    store.mark_review_applied(first.id)
    assert store.unapplied_reviews(created.id) == [] and len(store.attempt_reviews(created.id)) == 1


def test_an_accommodation_defaults_to_one_and_is_replaced_not_added(store: Store) -> None:
    assert store.accommodation("ds101", "alice") == 1.0
    store.set_accommodation("ds101", "alice", 1.5, "ADA letter", "prof", NOW)
    store.set_accommodation("ds101", "alice", 2.0, "updated", "prof", NOW)
    assert store.accommodation("ds101", "alice") == 2.0
    assert [a["time_multiplier"] for a in store.list_accommodations("ds101")] == [2.0]


def test_an_outcome_the_table_does_not_know_is_refused_and_nothing_is_stored(
    store: Store, exam: ExamRecord
) -> None:
    # the API checks outcomes first (web/api/proctoring.py); the table's own check still holds
    created = attempt(store, exam)
    with pytest.raises(AutogradeError):
        store.add_review(created.id, "proctorio", "r-2", "verified", [], "", NOW)
    assert store.attempt_reviews(created.id) == []


def test_an_outcome_outside_review_outcomes_is_bad_input_before_the_database_is_asked(
    store: Store, exam: ExamRecord
) -> None:
    created = attempt(store, exam)
    with pytest.raises(BadInput) as refused:
        store.add_review(created.id, "proctorio", "r-3", "verified", [], "", NOW)
    assert "'verified'" in refused.value.message and all(o in refused.value.message for o in REVIEW_OUTCOMES)
    with pytest.raises(BadInput):  # refused before the attempt is looked up (it would be NotFound)
        store.add_review("no-such-attempt", "proctorio", "r-4", "verified", [], "", NOW)
    assert store.attempt_reviews(created.id) == []
