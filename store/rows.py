"""The plain, frozen rows the store hands out (not programme records: those are `records/`), so no ORM object outlives its session."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from grader.stored_report import StoredReport

ROLES = ("admin", "instructor", "learner", "platform")
PERSON_ROLES = ("admin", "instructor", "learner")  # platforms are machines: they hold tokens, never accounts
FILE_KINDS = ("source", "release", "data")
STATUSES = ("queued", "running", "graded", "failed")
UNFINISHED = ("queued", "running")
# pending: to send (or retry); delivered: a 2xx came back; dead: out of retries (the
# dead-letter list); superseded: a newer result for the same learner and assignment was
# delivered first, so this older one must never be sent after it; refused: the receiver
# refused this very result for good (an LMS that grades no such user), so it is not retried.
DELIVERY_STATUSES = ("pending", "delivered", "dead", "superseded", "refused")
# exam_bank.states.STATES, repeated here so the store's check constraint does not import the core
ATTEMPT_STATES = (
    "created",
    "started",
    "submitted",
    "graded",
    "verified",
    "rejected",
    "second_review",
    "error",
)
REVIEW_OUTCOMES = ("clean", "suspicious", "violation")
LEDGER_KINDS = ("extension", "late_days", "accommodation", "policy")  # grader.ledger.KINDS, as above
INTEGRITY_STATES = ("unreviewed", "dismissed", "confirmed")  # a similar pair, as a person judged it


@dataclass(frozen=True)
class TokenRecord:
    id: int
    name: str
    role: str
    courses: tuple[str, ...] | None  # None: no course list (an admin, or a learner of any course)
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = (
        None  # to within ``store.tokens.LAST_USED_STEP``; None: never used since noted
    )


@dataclass(frozen=True)
class AccountRecord:
    """A person who logs in to the web pages; ``role``, ``name`` and ``courses`` mean what a token's do."""

    id: int
    name: str
    role: str
    courses: tuple[str, ...] | None
    created_at: datetime
    disabled_at: datetime | None = None
    # Changes whenever the password is set (its salted hash changes) and at every logout (the
    # account's session epoch rises); a session holds the one it was opened with, so either
    # ends every session opened before, copies of its cookie included.
    credential: str = ""


@dataclass(frozen=True)
class AssignmentRecord:
    id: str
    course: str
    name: str
    max_score: float
    rubric: list[dict[str, Any]]  # GradeCell.to_dict() entries: notebook, grade_id, points, kind
    rubric_version: str
    due_at: datetime | None
    late_policy: list[dict[str, Any]]  # [{"after": ISO 8601, "credit": percent}]
    is_zip: bool
    created_at: datetime
    sandbox_runtime: str | None = None  # runc or runsc; None means the deployment's default
    exam_attempt_id: str | None = None  # set for the assignment built from one exam attempt
    retired_at: datetime | None = None  # set once retired: no new submissions

    @property
    def notebooks(self) -> list[str]:
        """Every notebook holds at least one graded cell (validation insists), so the rubric names them all."""
        return sorted({cell["notebook"] for cell in self.rubric})


@dataclass(frozen=True)
class AssignmentChangeRecord:
    """One change to an assignment: ``fields`` old and new, ``regraded`` the grades it restated."""

    id: int
    assignment_id: str
    kind: str
    author: str
    reason: str
    at: datetime
    fields: dict[str, Any]
    regraded: list[dict[str, Any]]


@dataclass(frozen=True)
class LedgerRecord:
    """One entry of a learner's deadline ledger (learner ``*``: every learner of the course)."""

    id: int
    course: str
    learner: str
    kind: str
    assignment_id: str | None
    terms: dict[str, Any]
    author: str
    reason: str
    at: datetime
    submission_id: str | None = None  # the submission that spent late days

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


@dataclass(frozen=True)
class LedgerGrantRecord:
    """Entries added to ledgers together, and the grades they restated (``regraded``)."""

    entries: list[LedgerRecord]
    regraded: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"entries": [entry.to_dict() for entry in self.entries], "regraded": self.regraded}


@dataclass(frozen=True)
class SubmissionRecord:
    id: str
    assignment_id: str
    learner: str
    filename: str
    sha256: str
    size: int
    received_at: datetime
    on_time: bool
    late_credit: float
    status: str
    priority: str
    attempts: int
    score: float | None
    max_score: float
    graded_at: datetime | None
    error: str | None
    updated_at: datetime
    latest_report_id: int | None = None
    platform_id: str | None = None
    external_id: str | None = None
    callback_url: str | None = None
    request_sha256: str | None = None
    deadline: dict[str, Any] | None = None  # what submitting then meant, as the learner was told


@dataclass(frozen=True)
class ReportRecord:
    id: int
    submission_id: str
    report: StoredReport  # read and checked once, here at the store's edge (grader/stored_report.py)
    feedback_html: str
    provenance: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class PlatformRecord:
    id: str
    name: str
    secret: str
    callback_url: str | None
    courses: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class DeliveryRecord:
    id: str
    seq: int
    platform_id: str
    submission_id: str
    assignment_id: str
    learner: str
    report_id: int | None
    version: int
    event: str
    url: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_status_code: int | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class ExamRecord:
    id: str
    course: str
    name: str
    title: str
    spec_name: str
    spec_text: str
    created_at: datetime


@dataclass(frozen=True)
class AttemptRecord:
    id: str
    exam_id: str
    learner: str
    number: int
    seed: str
    variant: dict[str, Any]
    state: str
    created_at: datetime
    started_at: datetime | None
    deadline_at: datetime | None
    accommodation: float
    extension_seconds: float
    remaining_seconds: float | None
    submitted_at: datetime | None
    on_time: bool | None
    assignment_id: str | None
    submission_id: str | None
    client_ip: str | None
    updated_at: datetime


@dataclass(frozen=True)
class AttemptEventRecord:
    id: int
    attempt_id: str
    event: str
    from_state: str | None
    to_state: str
    actor: str
    reason: str
    at: datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    attempt_id: str
    provider: str
    review_id: str
    outcome: str
    evidence: list[dict[str, Any]]
    comments: str
    received_at: datetime
    applied: bool


# A learner's regrade request: open until staff answer it; its triage runs beside it.
REQUEST_STATUSES = ("open", "upheld", "denied")
TRIAGE_STATUSES = ("queued", "consistent", "nondeterministic", "failed")


@dataclass(frozen=True)
class IntegrityPairRecord:
    """Two submissions of one pool whose answers look alike, the evidence, and a person's judgement."""

    id: int
    pool: str
    course: str
    submission_a: str
    submission_b: str
    learner_a: str
    learner_b: str
    score: float
    code_score: float
    text_score: float
    report: dict[str, Any]
    state: str
    reason: str
    reviewer: str | None
    reviewed_at: datetime | None
    attempt_id: str | None
    found_at: datetime


@dataclass(frozen=True)
class IntegrityEventRecord:
    """One entry of a learner's integrity history: a pair of theirs reviewed, with why."""

    id: int
    learner: str
    course: str
    pair_id: int
    state: str
    reason: str
    author: str
    attempt_id: str | None
    at: datetime


@dataclass(frozen=True)
class LtiRegistrationRecord:
    """An LTI 1.3 platform as the tool knows it: who issues launches, to which client, where its keys are."""

    id: str
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    token_url: str
    jwks_url: str
    courses: tuple[str, ...]
    deployment_ids: tuple[str, ...]
    created_at: datetime
    token_audience: str | None = None  # the token endpoint's audience, when not ``token_url``

    @property
    def assertion_audience(self) -> str:
        """The ``aud`` of the tool's signed assertion at the token endpoint (RFC 7523: the server's
        identifier, which platforms take to be the token URL unless they publish another)."""
        return self.token_audience or self.token_url


@dataclass(frozen=True)
class LtiInvitationRecord:
    """An admin's one-time invitation for a platform to register itself (LTI Dynamic Registration)."""

    id: str
    label: str
    registration_id: str | None
    courses: tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    registered_id: str | None = None
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> str:
        """``open``, ``used``, ``revoked`` or ``expired``: only an open one registers anything."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "open"


@dataclass(frozen=True)
class LtiLoginRecord:
    """A login begun: the state and nonce its launch must bring back, once, before ``expires_at``."""

    state: str
    nonce: str
    registration_id: str
    expires_at: datetime


@dataclass(frozen=True)
class LtiContextRecord:
    """A platform course launched into ``course`` of ours; ``memberships_url`` is its roster, if offered."""

    registration_id: str
    context_id: str
    course: str
    memberships_url: str | None


# The largest id an Integer key holds on both databases (PostgreSQL's integer is 32 bits): a larger
# one is no row's, and asked for it PostgreSQL fails ('integer out of range') rather than finding none.
MAX_ID = 2**31 - 1
