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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from grader.assignment import Assignment
from grader.errors import BadInput
from grader.pipeline import match_submission
from grader.uploads import unpack_upload
from integrity.answers import answer_keys, answers_of, template_of
from integrity.cohort import Cohort
from integrity.compare import PairReport, compare
from integrity.index import could_reach, might_reach, tally
from integrity.prints import SubmissionPrints, fingerprint, from_dict, to_dict
from service.settings import Settings
from store import AssignmentRecord, IntegrityPairRecord, Store, SubmissionRecord
from store.integrity import IndexedSubmission, NewPair

MAX_REASON = 10_000
KEEP_AT = 0.2  # pairs below this are not stored: the honest pairs of the synthetic cohorts stay below it


def pool_of(store: Store, record: AssignmentRecord, trusted: Assignment) -> str:
    """The pool a submission to ``record`` belongs to (see the module's docstring)."""
    if record.exam_attempt_id is not None:
        return f"exam:{store.get_attempt(record.exam_attempt_id).exam_id}"
    keys = hashlib.sha256("\n".join(sorted(answer_keys(trusted))).encode()).hexdigest()[:16]
    return f"assignment:{record.name}:{keys}"


@dataclass(frozen=True)
class Indexed:
    """A submission whose fingerprints are stored in its pool."""

    submission: SubmissionRecord
    record: AssignmentRecord
    pool: str
    prints: SubmissionPrints
    latest: bool  # its learner's latest submission: the one that speaks for them in the pool


def index_submission(
    store: Store, settings: Settings, submission_id: str, trusted: Assignment, now: datetime
) -> Indexed:
    """Fingerprint the submission's answers and store them (with their postings) in its pool."""
    submission = store.get_submission(submission_id)
    record = store.get_assignment(submission.assignment_id)
    files = unpack_upload(
        submission.filename, store.submission_content(submission_id), settings.max_upload_bytes
    )
    prints = fingerprint(answers_of(trusted, match_submission(trusted, files)), template_of(trusted))
    pool = pool_of(store, record, trusted)
    latest = store.save_prints(
        submission_id,
        pool,
        record.course,
        submission.learner,
        submission.received_at,
        to_dict(prints),
        hashes_of(prints),
        now,
    )
    return Indexed(submission, record, pool, prints, latest)


def check_submission(
    store: Store, settings: Settings, submission_id: str, trusted: Assignment, now: datetime
) -> int:
    """Index the submission's answers and record its similar pairs in its pool; how many are new."""
    found = index_submission(store, settings, submission_id, trusted, now)
    if not found.latest:
        return 0  # a newer submission of this learner's is already indexed: it speaks for them
    learner = found.submission.learner
    pairs = [
        NewPair(other.submission_id, submission_id, other.learner, learner, report.to_dict())
        for other, report in similar_in_pool(store, found.pool, submission_id, found.prints, KEEP_AT)
    ]
    return store.add_pairs(found.pool, found.record.course, pairs, now)


def similar_in_pool(
    store: Store, pool: str, submission_id: str, prints: SubmissionPrints, keep_at: float
) -> list[tuple[IndexedSubmission, PairReport]]:
    """The pool's other latest submissions whose pair with this one scores at least ``keep_at``, by id.

    The same pairs and scores as ``integrity.index.Index.similar`` over the whole pool, from
    reads that grow with what the new submission shares, not with the pool: how many learners
    hold each of its fingerprints, who holds those that weigh anything (what most of the
    cohort wrote weighs nothing, and is the most widely held), the prints of the holders
    that could reach ``keep_at``, and the cohort's counts of those holders' fingerprints.
    """
    size, wanted = store.pool_size(pool), hashes_of(prints)
    counts = store.frequencies(pool, wanted)
    cohort = Cohort(size, counts)
    weighty = {key: [d for d in digests if cohort.weight(key, d) > 0] for key, digests in wanted.items()}
    own, shared = tally(prints, submission_id, store.holders(pool, weighty), cohort)
    hopeful = [other for other in sorted(shared) if might_reach(prints, own, shared[other], keep_at)]
    others: dict[str, tuple[IndexedSubmission, SubmissionPrints]] = {}
    for item in store.prints_of(hopeful):
        theirs = from_dict(item.prints)
        if could_reach(prints, theirs, own, shared[item.submission_id], keep_at):
            others[item.submission_id] = (item, theirs)
    unknown: dict[str, set[int]] = defaultdict(set)
    for _, held in others.values():
        for key in held.keys() & prints.keys():
            unknown[key].update(d for d in held[key].hashes if (key, d) not in counts)
    counts.update(store.frequencies(pool, unknown))
    cohort = Cohort(size, counts)
    found = []
    for other in sorted(others):
        item, held = others[other]
        report = compare(held, prints, cohort)
        if report.score >= keep_at:
            found.append((item, report))
    return found


def hashes_of(prints: SubmissionPrints) -> dict[str, frozenset[int]]:
    """The fingerprints of each answer, as the postings hold them."""
    return {key: cell.hashes for key, cell in prints.items()}


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
