"""Exam attempts as use cases (service/attempts.py), called directly on SQLite and PostgreSQL with the
test's own clock: a start checks access and fixes the deadline, work is taken until the deadline and
grace and refused after, the sweeper submits what was saved as received at the deadline, extensions
and resumes are capped by the window, grading applies a review that waited, staff decide with a reason."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from grader.errors import BadInput, Conflict, Forbidden, IllegalTransition, NotFound, WrongAccessCode
from grader.ledger_change import Grant
from service.attempts import (
    ANSWERS_FILE,
    DeadlinePassed,
    attempt_graded,
    attempt_summary,
    close_expired,
    decide,
    extend_attempt,
    interrupt_attempt,
    question_names,
    reconcile_graded_attempts,
    resume_attempt,
    save_answer,
    start_attempt,
    submit_attempt,
)
from store import AttemptRecord, ExamRecord, Store
from tests.exam_bank.bank import as_yaml, question_files, spec_data
from tests.web.fakes import FakeEnqueuer
from tests.web.reports import grade

# spec_data(): open 09:00-21:00, 90 minutes, 30 s of grace, two attempts, code owl-42 from 10.0.0.0/8
OPENS, CLOSES = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 21, tzinfo=UTC)
NOW = OPENS + timedelta(hours=1)
LIMIT, GRACE = timedelta(minutes=90), timedelta(seconds=30)


@pytest.fixture
def exam(store: Store) -> ExamRecord:
    return store.add_exam("ds101", "midterm", "Midterm", "exam.yaml", as_yaml(spec_data()), question_files())


@pytest.fixture
def enqueuer() -> FakeEnqueuer:
    return FakeEnqueuer()


@pytest.fixture
def start(store: Store, enqueuer: FakeEnqueuer, exam: ExamRecord) -> Callable[..., AttemptRecord]:
    """Start ``learner``'s attempt at ``now`` with the right code from inside the exam's network."""

    def run(
        learner: str = "alice", now: datetime = NOW, code: str | None = "owl-42", ip: str = "10.1.2.3"
    ) -> AttemptRecord:
        return start_attempt(store, enqueuer, exam, learner, code, ip, now)

    return run


def closes_at(attempt: AttemptRecord) -> datetime:
    """When the job that closes the attempt is due: past its deadline and grace."""
    assert attempt.deadline_at is not None
    return attempt.deadline_at + GRACE + timedelta(seconds=1)


def submit_now(store: Store, enqueuer: FakeEnqueuer, attempt: AttemptRecord) -> str:
    """The learner submits at ``NOW``; the exam submission's id."""
    submission_id = submit_attempt(store, enqueuer, attempt.id, attempt.learner, NOW).submission_id
    assert submission_id is not None
    return submission_id


def test_a_start_draws_a_variant_builds_its_questions_and_fixes_the_deadline(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    started = start()
    assert (started.state, started.started_at, started.deadline_at, started.accommodation) == (
        "started",
        NOW,
        NOW + LIMIT,
        1.0,
    )
    assert started.variant and started.seed != start("bob").seed  # a fresh seed per attempt
    names = question_names(store, started)
    assert sorted(name.split("-")[1] for name in names) == ["basics", "basics", "proofs"]  # as the pools draw
    assert started.assignment_id is not None
    assert store.get_assignment(started.assignment_id).exam_attempt_id == started.id
    assert enqueuer.sweeps[0] == closes_at(started)


def test_the_deadline_takes_the_larger_accommodation_and_never_passes_the_window(
    store: Store, start: Callable[..., AttemptRecord]
) -> None:
    store.set_accommodation("ds101", "bob", 1.5, "documented", "prof", NOW)
    plan = {"multiplier": 2.0, "applies_to": ["exams"]}
    grants = [
        Grant("carol", "accommodation", None, plan, "plan"),
        Grant("bob", "accommodation", None, {**plan, "multiplier": 1.2}, "plan"),
    ]
    store.grant_ledger_entries("ds101", grants, "prof", NOW)
    assert start("bob").deadline_at == NOW + LIMIT * 1.5
    assert start("carol").deadline_at == NOW + LIMIT * 2
    assert start("dave", now=CLOSES - timedelta(minutes=30)).deadline_at == CLOSES


def test_a_start_the_rules_refuse_stores_and_schedules_nothing(
    enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord], row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    for refused, kwargs in (
        (Forbidden, {"now": OPENS - timedelta(minutes=1)}),
        (Forbidden, {"now": CLOSES}),
        (Forbidden, {"code": None}),
        (WrongAccessCode, {"code": "owl-43"}),
        (Forbidden, {"ip": "192.0.2.1"}),
    ):
        with pytest.raises(refused):
            start(**kwargs)
    assert row_counts() == before and enqueuer.sweeps == []


def test_no_start_past_the_attempts_allowed(start: Callable[..., AttemptRecord]) -> None:
    start(), start()
    with pytest.raises(Forbidden, match="all 2 attempts"):
        start()


def test_saved_work_is_submitted_with_each_unsaved_question_as_released_and_queued(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    started = start()
    first, *others = question_names(store, started)
    save_answer(store, started, first, b"draft", NOW + timedelta(minutes=5))
    save_answer(store, started, first, b"final", NOW + timedelta(minutes=10))
    submitted = submit_attempt(store, enqueuer, started.id, "alice", NOW + timedelta(minutes=20))
    assert submitted.state == "submitted" and submitted.submission_id is not None
    assert enqueuer.calls == [(submitted.submission_id, "exams")]
    submission = store.get_submission(submitted.submission_id)
    assert (submission.filename, submission.received_at) == (ANSWERS_FILE, NOW + timedelta(minutes=20))
    with zipfile.ZipFile(io.BytesIO(store.submission_content(submission.id))) as bundle:
        sent = {name: bundle.read(name) for name in bundle.namelist()}
    assert started.assignment_id is not None
    releases = store.assignment_files(started.assignment_id, "release")
    assert sent == {first: b"final", **{name: releases[name] for name in others}}


def test_work_is_taken_within_the_grace_and_refused_after_it(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    started = start()
    name = question_names(store, started)[0]
    with pytest.raises(NotFound, match="no question"):
        save_answer(store, started, "other.ipynb", b"x", NOW)
    save_answer(store, started, name, b"just in time", NOW + LIMIT + GRACE)
    late = NOW + LIMIT + GRACE + timedelta(seconds=1)
    with pytest.raises(DeadlinePassed, match="work can no longer be saved") as refused:
        save_answer(store, started, name, b"too late", late)
    assert refused.value.code == "deadline_passed"
    with pytest.raises(DeadlinePassed, match="can no longer be submitted"):
        submit_attempt(store, enqueuer, started.id, "alice", late)
    assert store.get_attempt(started.id).state == "started" and enqueuer.calls == []
    assert store.attempt_answers(started.id)[name][0] == b"just in time"


def test_with_redis_down_a_start_and_a_submit_still_hold_and_a_second_submit_is_illegal(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    enqueuer.down = True
    started = start()  # its closing job is lost: the periodic sweep closes it
    assert started.state == "started" and enqueuer.sweeps == []
    submitted = submit_attempt(store, enqueuer, started.id, "alice", NOW)
    assert submitted.state == "submitted" and submitted.submission_id is not None
    assert store.get_submission(submitted.submission_id).status == "queued"  # worker start-up enqueues it
    with pytest.raises(IllegalTransition):
        submit_attempt(store, enqueuer, started.id, "alice", NOW)


def test_the_sweeper_submits_only_attempts_past_their_grace_as_received_at_the_deadline(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    alice, bob = start("alice"), start("bob", now=NOW + timedelta(minutes=10))
    sweep = NOW + LIMIT + GRACE + timedelta(seconds=1)
    assert close_expired(store, enqueuer, NOW + LIMIT + GRACE) == []  # still inside alice's grace
    assert close_expired(store, enqueuer, sweep) == [alice.id]
    closed = store.get_attempt(alice.id)
    assert closed.state == "submitted" and closed.submission_id is not None
    assert store.get_submission(closed.submission_id).received_at == alice.deadline_at
    assert store.get_attempt(bob.id).state == "started"
    assert close_expired(store, enqueuer, sweep) == []


def test_an_extension_needs_a_reason_a_sane_length_and_a_running_attempt(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    started = start()
    for minutes, reason in ((10, " "), (0, "fire alarm"), (-5, "fire alarm"), (24 * 60 + 1, "fire alarm")):
        with pytest.raises(BadInput):
            extend_attempt(store, enqueuer, started.id, minutes, "prof", reason, NOW)
    assert store.get_attempt(started.id).deadline_at == NOW + LIMIT
    extended = extend_attempt(store, enqueuer, started.id, 15, "prof", "fire alarm", NOW)
    assert (extended.deadline_at, extended.extension_seconds) == (NOW + LIMIT + timedelta(minutes=15), 900)
    assert enqueuer.sweeps[-1] == closes_at(extended)
    capped = extend_attempt(store, enqueuer, started.id, 24 * 60, "prof", "lost power", NOW)
    assert (
        capped.deadline_at == CLOSES and store.attempt_events(started.id)[-1].data["capped_by_window"] is True
    )
    submit_attempt(store, enqueuer, started.id, "alice", NOW)
    with pytest.raises(Conflict, match="only a running attempt"):
        extend_attempt(store, enqueuer, started.id, 5, "prof", "late", NOW)


def test_an_interrupted_attempt_keeps_its_time_left_and_resumes_with_it_within_the_window(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    started = start()
    stopped = interrupt_attempt(store, started.id, "system", "", NOW + timedelta(minutes=30))
    assert (stopped.state, stopped.remaining_seconds) == ("error", 3600)
    assert store.attempt_events(started.id)[-1].reason == "interrupted"
    resumed = resume_attempt(store, enqueuer, started.id, "prof", NOW + timedelta(hours=2))
    assert (resumed.state, resumed.deadline_at, resumed.remaining_seconds) == (
        "started",
        NOW + timedelta(hours=3),
        None,
    )
    assert enqueuer.sweeps[-1] == closes_at(resumed)
    with pytest.raises(IllegalTransition):
        resume_attempt(store, enqueuer, started.id, "prof", NOW + timedelta(hours=2))
    late = start("bob", now=CLOSES - timedelta(hours=1))  # its deadline is the window's end already
    interrupt_attempt(store, late.id, "system", "network", CLOSES - timedelta(minutes=50))
    assert (
        resume_attempt(store, enqueuer, late.id, "prof", CLOSES - timedelta(minutes=10)).deadline_at == CLOSES
    )


def test_grading_moves_the_attempt_and_applies_the_review_that_waited_for_it(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    started = start()
    submission_id = submit_now(store, enqueuer, started)
    store.create_platform("proctorio", "Proctorio", None, ["ds101"])
    store.add_review(started.id, "proctorio", "r-1", "clean", [], "nothing seen", NOW)
    grade(store, submission_id)
    verified = attempt_graded(store, submission_id, NOW)
    assert verified is not None and verified.state == "verified"
    assert store.unapplied_reviews(started.id) == []
    assert [e.event for e in store.attempt_events(started.id)][-2:] == ["grade", "review_clean"]


def test_attempts_left_submitted_with_a_stored_grade_are_reconciled_once(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    graded, waiting = start("alice"), start("bob")
    submission_id = submit_now(store, enqueuer, graded)
    submit_now(store, enqueuer, waiting)
    grade(store, submission_id)  # and the worker died before moving the attempt
    assert reconcile_graded_attempts(store, NOW) == 1
    assert (store.get_attempt(graded.id).state, store.get_attempt(waiting.id).state) == (
        "graded",
        "submitted",
    )
    assert reconcile_graded_attempts(store, NOW) == 0


def test_staff_decide_with_a_known_decision_and_a_reason_only(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    started = start()
    submission_id = submit_now(store, enqueuer, started)
    grade(store, submission_id)
    attempt_graded(store, submission_id, NOW)
    for decision, reason in (("approve", "fine"), ("verify", "  "), ("verify", "")):
        with pytest.raises(BadInput):
            decide(store, started.id, decision, "prof", reason, NOW)
    assert decide(store, started.id, "reject", "prof", "  notes found  ", NOW).state == "rejected"
    assert store.attempt_events(started.id)[-1].reason == "notes found"
    assert decide(store, started.id, "reopen", "dean", "appeal", NOW).state == "second_review"
    with pytest.raises(IllegalTransition):
        decide(store, started.id, "reopen", "dean", "again", NOW)


def test_only_a_running_attempt_shows_time_left(
    store: Store, enqueuer: FakeEnqueuer, start: Callable[..., AttemptRecord]
) -> None:
    started = start()
    assert attempt_summary(started, NOW + timedelta(minutes=30)) == {"remaining_seconds": 3600.0}
    assert attempt_summary(started, NOW + LIMIT + timedelta(hours=1)) == {"remaining_seconds": 0.0}
    submitted = submit_attempt(store, enqueuer, started.id, "alice", NOW)
    assert attempt_summary(submitted, NOW) == {"remaining_seconds": None}
