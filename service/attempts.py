"""Exam attempts end to end: start, submit, close at the deadline, extend, interrupt, resume, review.

The rules are the pure core's (``exam_bank``): access, variants, the clock and the state
machine. This module does the I/O around them (the store, the queue) and is shared by the
web API and the worker's sweeper. Every function takes ``now`` from its caller, so tests
drive time with an injected clock and never sleep.

Lateness is judged when the submit arrives, never when it is graded. An attempt the learner
abandons is closed by the sweeper once its deadline and grace have passed: the work saved
by then is submitted as received at the deadline.
"""

from __future__ import annotations

import io
import logging
import secrets
import zipfile
from datetime import datetime, timedelta
from typing import Any

from exam_bank.access import check_access
from exam_bank.clock import deadline, judge_receipt, remaining, resume_deadline
from exam_bank.spec import ExamSpec, parse_exam
from exam_bank.variants import draw_variant, variant_sources
from grader.assignment import Assignment, build_assignment
from grader.errors import BadInput, Conflict, IllegalTransition, NotFound
from grader.notebooks import dump_notebook
from service.memo import Memo
from service.queue import Enqueuer
from store import AttemptRecord, ExamRecord, Store

log = logging.getLogger(__name__)
ANSWERS_FILE = "answers.zip"
REVIEW_EVENTS = {"clean": "review_clean", "suspicious": "review_suspicious", "violation": "review_violation"}
DECISIONS = {"verify": "verify", "reject": "reject", "reopen": "reopen"}


class DeadlinePassed(Conflict):
    code = "deadline_passed"


_specs: Memo[ExamSpec] = Memo(64)


def exam_spec(store: Store, exam: ExamRecord) -> ExamSpec:
    """The exam's rules, parsed from what the instructor uploaded (the source of truth).

    An exam is never changed once stored, so its parse is kept per process: parsing builds
    every question notebook, and a learner saving work every minute must not pay for that.
    """
    parse = lambda: parse_exam(exam.spec_name, exam.spec_text, store.exam_files(exam.id))  # noqa: E731
    return _specs.get((exam.id, exam.spec_text), parse)


# -- starting ---------------------------------------------------------------------------


def start_attempt(
    store: Store,
    enqueuer: Enqueuer,
    exam: ExamRecord,
    learner: str,
    code: str | None,
    client_ip: str | None,
    now: datetime,
) -> AttemptRecord:
    """Check access, draw the learner's variant from a fresh seed, fix the deadline, start the clock."""
    spec = exam_spec(store, exam)
    check_access(spec, now, store.attempts_used(exam.id, learner), code, client_ip)
    seed = secrets.token_hex(16)
    variant = draw_variant(spec, seed)
    sources = variant_sources(store.exam_files(exam.id), variant)
    built = build_assignment(sources)  # before the attempt exists: a failure here costs no attempt
    accommodation = exam_accommodation(store, exam.course, learner)
    attempt = store.create_attempt(
        exam.id, learner, seed, variant.to_dict(), accommodation, spec.attempts_allowed, client_ip, now
    )
    assignment_id = store_variant(store, exam, attempt, sources, built)
    ends = deadline(now, spec.time_limit, accommodation, timedelta(0), spec.window.closes)
    started = store.apply_event(
        attempt.id,
        "start",
        learner,
        "",
        now,
        changes={"started_at": now, "deadline_at": ends, "assignment_id": assignment_id},
        data={"deadline_at": ends.isoformat(), "accommodation": accommodation},
    )
    schedule_close(enqueuer, started, spec)
    return started


def exam_accommodation(store: Store, course: str, learner: str) -> float:
    """The learner's exam time multiplier: the exam accommodation set for the course, or an
    accommodation in their deadline ledger that covers exams, whichever gives more time."""
    return max(store.accommodation(course, learner), store.ledger_of(course, learner).exam_multiplier)


def store_variant(
    store: Store, exam: ExamRecord, attempt: AttemptRecord, sources: dict[str, bytes], built: Assignment
) -> str:
    """The attempt's questions as an assignment of their own: what its submission is graded against."""
    record = store.add_assignment(
        course=exam.course,
        name=f"exam {exam.id} / attempt {attempt.id}",  # ids only: within the column's 200 characters
        sources=sources,
        releases={path: dump_notebook(notebook) for path, notebook in built.releases.items()},
        data_files=dict(built.files),
        rubric=[cell.to_dict() for cell in built.rubric.cells],
        rubric_version=built.rubric.version,
        max_score=built.rubric.max_score,
        due_at=None,
        late_policy=[],
        is_zip=True,
        exam_attempt_id=attempt.id,
    )
    return record.id


# -- saving and submitting --------------------------------------------------------------


def question_names(store: Store, attempt: AttemptRecord) -> list[str]:
    if attempt.assignment_id is None:
        return []
    return sorted(store.assignment_files(attempt.assignment_id, "release"))


def save_answer(store: Store, attempt: AttemptRecord, name: str, content: bytes, now: datetime) -> None:
    """Keep a question's notebook; refused once the deadline and grace have passed."""
    if name not in question_names(store, attempt):
        raise NotFound(f"the attempt has no question {name!r}")
    spec = exam_spec(store, store.get_exam(attempt.exam_id))
    check_in_time(attempt, spec, now, "work can no longer be saved")
    store.save_answer(attempt.id, name, content, now)


def submit_attempt(
    store: Store, enqueuer: Enqueuer, attempt_id: str, actor: str, now: datetime, auto: bool = False
) -> AttemptRecord:
    """Bundle the saved work (the question as released where nothing was saved) and queue it.

    A learner's submit is judged at receipt: after the deadline and grace it is refused
    (409, ``deadline_passed``). The sweeper's auto-submit is received at the deadline.
    """
    attempt = store.get_attempt(attempt_id)
    spec = exam_spec(store, store.get_exam(attempt.exam_id))
    if attempt.state != "started" or attempt.deadline_at is None:
        raise IllegalTransition(f"an attempt that is {attempt.state} cannot be submitted")
    if not auto:
        check_in_time(attempt, spec, now, "the attempt can no longer be submitted")
    received_at = attempt.deadline_at if auto else now
    event, reason = ("auto_submit", "the deadline passed") if auto else ("submit", "")
    submitted, submission_id = store.submit_attempt(
        attempt.id, event, actor, reason, now, received_at, ANSWERS_FILE, answers_bundle(store, attempt)
    )
    try:
        enqueuer.enqueue_grading(submission_id, "exams")
    except Exception:  # stored as queued: worker start-up recovery enqueues it
        log.warning("could not enqueue exam submission %s; recovery will", submission_id, exc_info=True)
    return submitted


def check_in_time(attempt: AttemptRecord, spec: ExamSpec, now: datetime, what: str) -> None:
    assert attempt.deadline_at is not None
    receipt = judge_receipt(now, attempt.deadline_at, spec.grace)
    if not receipt.on_time:
        raise DeadlinePassed(
            f"{what}: the deadline was {attempt.deadline_at.isoformat()} and this arrived "
            f"{receipt.late_by.total_seconds():.0f} s after it (grace {spec.grace.total_seconds():.0f} s)"
        )


def answers_bundle(store: Store, attempt: AttemptRecord) -> bytes:
    assert attempt.assignment_id is not None
    releases = store.assignment_files(attempt.assignment_id, "release")
    saved = store.attempt_answers(attempt.id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, release in sorted(releases.items()):
            archive.writestr(name, saved[name][0] if name in saved else release)
    return buffer.getvalue()


# -- the clock: closing, extending, interrupting, resuming ------------------------------------


def close_expired(store: Store, enqueuer: Enqueuer, now: datetime) -> list[str]:
    """Auto-submit every started attempt whose deadline and grace have passed; their ids."""
    closed = []
    for attempt in store.running_attempts_past(now):
        spec = exam_spec(store, store.get_exam(attempt.exam_id))
        assert attempt.deadline_at is not None
        if now <= attempt.deadline_at + spec.grace:
            continue
        try:
            submit_attempt(store, enqueuer, attempt.id, "sweeper", now, auto=True)
            closed.append(attempt.id)
        except IllegalTransition:
            pass  # the learner's own submit (or an interruption) won the race
    if closed:
        log.info("closed %d expired exam attempts", len(closed))
    return closed


def schedule_close(enqueuer: Enqueuer, attempt: AttemptRecord, spec: ExamSpec) -> None:
    """A job at the attempt's deadline plus grace; the periodic sweep catches any that is lost."""
    if attempt.deadline_at is None:
        return
    try:
        enqueuer.enqueue_sweep(attempt.deadline_at + spec.grace + timedelta(seconds=1))
    except Exception:
        log.warning(
            "could not schedule closing attempt %s; the periodic sweep will", attempt.id, exc_info=True
        )


def extend_attempt(
    store: Store, enqueuer: Enqueuer, attempt_id: str, minutes: float, actor: str, reason: str, now: datetime
) -> AttemptRecord:
    """More time for one running attempt, still capped by the exam window's end."""
    if not reason.strip():
        raise BadInput("an extension needs a reason (it is kept with the attempt)")
    if not 0 < minutes <= 24 * 60:
        raise BadInput("minutes must be more than 0 and at most 1440")
    attempt = store.get_attempt(attempt_id)
    spec = exam_spec(store, store.get_exam(attempt.exam_id))
    if attempt.state != "started" or attempt.deadline_at is None:
        raise Conflict(f"the attempt is {attempt.state}; only a running attempt can be extended")
    ends = min(attempt.deadline_at + timedelta(minutes=minutes), spec.window.closes)
    extended = store.amend_attempt(
        attempt.id,
        "started",
        "extend",
        actor,
        reason,
        now,
        changes={"deadline_at": ends, "extension_seconds": attempt.extension_seconds + minutes * 60},
        data={
            "minutes": minutes,
            "deadline_at": ends.isoformat(),
            "capped_by_window": ends == spec.window.closes,
        },
    )
    schedule_close(enqueuer, extended, spec)
    return extended


def interrupt_attempt(store: Store, attempt_id: str, actor: str, reason: str, now: datetime) -> AttemptRecord:
    """An attempt stopped by an error (ours, the learner's connection): it keeps the time it had left."""
    attempt = store.get_attempt(attempt_id)
    left = remaining(now, attempt.deadline_at) if attempt.deadline_at else timedelta(0)
    return store.apply_event(
        attempt.id,
        "fail",
        actor,
        reason or "interrupted",
        now,
        changes={"remaining_seconds": left.total_seconds()},
        data={"remaining_seconds": left.total_seconds()},
    )


def resume_attempt(
    store: Store, enqueuer: Enqueuer, attempt_id: str, actor: str, now: datetime
) -> AttemptRecord:
    attempt = store.get_attempt(attempt_id)
    spec = exam_spec(store, store.get_exam(attempt.exam_id))
    left = timedelta(seconds=attempt.remaining_seconds or 0)
    ends = resume_deadline(now, left, spec.window.closes)
    resumed = store.apply_event(
        attempt.id,
        "resume",
        actor,
        "",
        now,
        changes={"deadline_at": ends, "remaining_seconds": None},
        data={"deadline_at": ends.isoformat(), "remaining_seconds": left.total_seconds()},
    )
    schedule_close(enqueuer, resumed, spec)
    return resumed


# -- grading and review -----------------------------------------------------------------


def attempt_graded(store: Store, submission_id: str, now: datetime) -> AttemptRecord | None:
    """After an exam submission's grade is stored: the attempt is graded, and reviews held for it apply."""
    attempt = store.attempt_for_submission(submission_id)
    if attempt is None or attempt.state != "submitted":
        return attempt
    attempt = store.apply_event(attempt.id, "grade", "grader", "", now, data={"submission_id": submission_id})
    for review in store.unapplied_reviews(attempt.id):
        attempt = apply_review(
            store, attempt, review.id, review.outcome, review.provider, review.comments, now
        )
    return attempt


def reconcile_graded_attempts(store: Store, now: datetime) -> int:
    """Attempts left submitted although their grade is stored (a worker died in between)."""
    moved = 0
    for attempt in store.list_attempts(state="submitted"):
        submission = store.find_submission(attempt.submission_id) if attempt.submission_id else None
        if submission is not None and submission.status == "graded":
            attempt_graded(store, submission.id, now)
            moved += 1
    return moved


def apply_review(
    store: Store,
    attempt: AttemptRecord,
    review_id: int,
    outcome: str,
    provider: str,
    comments: str,
    now: datetime,
) -> AttemptRecord:
    """A provider's outcome moves a graded attempt; before grading it waits (kept, applied later)."""
    if attempt.state != "graded":
        return attempt
    moved = store.apply_event(
        attempt.id,
        REVIEW_EVENTS[outcome],
        f"proctoring:{provider}",
        comments,
        now,
        data={"review": review_id},
    )
    store.mark_review_applied(review_id)
    return moved


def decide(
    store: Store, attempt_id: str, decision: str, actor: str, reason: str, now: datetime
) -> AttemptRecord:
    """An instructor verifies, rejects or reopens an attempt, always with a reason."""
    if decision not in DECISIONS:
        raise BadInput(f"decision must be one of {', '.join(DECISIONS)}")
    if not reason.strip():
        raise BadInput("a review decision needs a reason (it is kept with the attempt)")
    return store.apply_event(attempt_id, DECISIONS[decision], actor, reason.strip(), now)


def attempt_summary(attempt: AttemptRecord, now: datetime) -> dict[str, Any]:
    left = remaining(now, attempt.deadline_at) if attempt.deadline_at and attempt.state == "started" else None
    return {"remaining_seconds": None if left is None else round(left.total_seconds(), 3)}
