"""Checking a graded submission for similarity with its pool, and reviewing what was found.

A pool is what compares: every submission to the same questions. For an assignment that is
its name and answer cells (``notebook::grade_id``), so the same assignment uploaded again for
a later cohort, in this course or the next term's, compares with the earlier cohorts; for an
exam it is the exam, whichever variant each attempt drew. Each learner counts once in a pool,
by their latest submission, so resubmitting is never copying oneself.

The check runs as a background job after the grade is stored (``worker/integrity.py``), on a
queue served after every other: grading never waits for it. Nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from grader.assignment import Assignment
from grader.errors import BadInput
from grader.pipeline import match_submission
from grader.uploads import unpack_upload
from integrity.answers import answer_keys, answers_of, template_of
from integrity.index import Index
from integrity.prints import fingerprint, from_dict, to_dict
from service.settings import Settings
from store import AssignmentRecord, IntegrityPairRecord, Store
from store.integrity import IndexedSubmission, NewPair

MAX_REASON = 10_000
KEEP_AT = 0.2  # pairs below this are not stored: the honest pairs of the synthetic cohorts stay below it


def pool_of(store: Store, record: AssignmentRecord, trusted: Assignment) -> str:
    """The pool a submission to ``record`` belongs to (see the module's docstring)."""
    if record.exam_attempt_id is not None:
        return f"exam:{store.get_attempt(record.exam_attempt_id).exam_id}"
    keys = hashlib.sha256("\n".join(sorted(answer_keys(trusted))).encode()).hexdigest()[:16]
    return f"assignment:{record.name}:{keys}"


def check_submission(
    store: Store, settings: Settings, submission_id: str, trusted: Assignment, now: datetime
) -> int:
    """Index the submission's answers and record its similar pairs in its pool; how many are new."""
    submission = store.get_submission(submission_id)
    record = store.get_assignment(submission.assignment_id)
    files = unpack_upload(
        submission.filename, store.submission_content(submission_id), settings.max_upload_bytes
    )
    prints = fingerprint(answers_of(trusted, match_submission(trusted, files)), template_of(trusted))
    pool = pool_of(store, record, trusted)
    store.save_prints(
        submission_id, pool, record.course, submission.learner, submission.received_at, to_dict(prints), now
    )
    latest = latest_per_learner(store.pool_prints(pool))
    if (
        latest.get(submission.learner, None) is None
        or latest[submission.learner].submission_id != submission_id
    ):
        return 0  # a newer submission of this learner's is already indexed: it speaks for them
    index = Index()
    learners = {}
    for item in latest.values():
        if item.learner != submission.learner:
            index.add(item.submission_id, from_dict(item.prints))
            learners[item.submission_id] = item.learner
    index.add(submission_id, prints)
    pairs = [
        NewPair(other, submission_id, learners[other], submission.learner, report.to_dict())
        for other, report in index.similar(submission_id, KEEP_AT)
    ]
    return store.add_pairs(pool, record.course, pairs, now)


def latest_per_learner(indexed: Iterable[IndexedSubmission]) -> dict[str, IndexedSubmission]:
    """Each learner's latest submission (``indexed`` comes oldest first)."""
    latest: dict[str, IndexedSubmission] = {}
    for item in indexed:
        latest[item.learner] = item
    return latest


def review_pair(
    store: Store, pair_id: int, state: str, reason: str, author: str, attempt_id: str | None, now: datetime
) -> IntegrityPairRecord:
    """A person's judgement of a pair; confirming or dismissing needs a reason, written to both histories."""
    reason = reason.strip()
    if state != "unreviewed" and not reason:
        raise BadInput("a reason is required to dismiss or confirm a pair")
    if len(reason) > MAX_REASON:
        raise BadInput(f"the reason must be at most {MAX_REASON} characters")
    if attempt_id is not None:
        pair = store.get_pair(pair_id)
        attempt = store.get_attempt(attempt_id)  # NotFound for an attempt that does not exist
        if attempt.learner not in (pair.learner_a, pair.learner_b):
            raise BadInput(
                f"exam attempt {attempt_id!r} is not either learner's: link the attempt under review"
            )
    return store.review_pair(pair_id, state, reason, author, attempt_id, now)
