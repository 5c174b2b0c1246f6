"""The ORM tables; the hand-written migration in ``store/migrations`` must match them.

Timestamps go through ``UTCDateTime`` so that every datetime read back is timezone-aware
UTC, on PostgreSQL (``timestamptz``) and on SQLite (which keeps no zone at all).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from grader.stored_report import StoredReport
from store.rows import (
    ATTEMPT_STATES,
    DELIVERY_STATUSES,
    FILE_KINDS,
    INTEGRITY_STATES,
    LEDGER_KINDS,
    PERSON_ROLES,
    REQUEST_STATUSES,
    REVIEW_OUTCOMES,
    ROLES,
    STATUSES,
    TRIAGE_STATUSES,
)

# Named constraints keep migrations reproducible and let SQLite batch mode find them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """Refuses naive datetimes on the way in; returns aware UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store keeps only timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TokenRow(Base):
    __tablename__ = "tokens"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    courses: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AccountRow(Base):
    """A person's login: the name is unique and is the identity a token of the same role would carry."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(one_of("role", PERSON_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    courses: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Raised by each logout: a session cookie carries the epoch it was opened in (inside
    # ``AccountRecord.credential``), so every copy of every earlier cookie is refused.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AssignmentRow(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("course", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    course: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    max_score: Mapped[float] = mapped_column(Float)
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rubric_version: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    late_policy: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    is_zip: Mapped[bool] = mapped_column(Boolean)
    sandbox_runtime: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # Set for the assignment built from one exam attempt's variant: hidden from course listings,
    # gradebooks and learners' assignment calls; submitted only through the attempt.
    exam_attempt_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # Set when staff retire it: it takes no new submissions; its grades stay as they are.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AssignmentChangeRow(Base):
    """Append-only: every change to an assignment's terms, with who, when, why, old and new, and the
    grades it restated."""

    __tablename__ = "assignment_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # terms (due, late policy, runtime) or retire
    author: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)  # {field: {"old": ..., "new": ...}}
    regraded: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # grader.late_credit.CreditChange entries


class LedgerEntryRow(Base):
    """Append-only (triggers refuse UPDATE and DELETE): one fact in a learner's deadline ledger for a
    course (``grader.ledger``); learner ``*`` is every learner of the course. The id orders them."""

    __tablename__ = "deadline_ledger"
    __table_args__ = (
        CheckConstraint(one_of("kind", LEDGER_KINDS), name="kind"),
        # late days are spent once per learner and assignment, even by two submissions at once
        Index(
            "uq_deadline_ledger_late_days",
            "course",
            "learner",
            "assignment_id",
            unique=True,
            sqlite_where=text("kind = 'late_days'"),
            postgresql_where=text("kind = 'late_days'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    course: Mapped[str] = mapped_column(String(200), index=True)
    learner: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    assignment_id: Mapped[str | None] = mapped_column(ForeignKey("assignments.id"), nullable=True)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)  # the kind's own fields (LedgerEntry.terms)
    author: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    submission_id: Mapped[str | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)


class AssignmentFileRow(Base):
    __tablename__ = "assignment_files"
    __table_args__ = (CheckConstraint(one_of("kind", FILE_KINDS), name="kind"),)

    assignment_id: Mapped[str] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    path: Mapped[str] = mapped_column(String, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class SubmissionRow(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status"),
        UniqueConstraint("platform_id", "external_id"),  # NULLs are distinct: other submissions unaffected
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), index=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    filename: Mapped[str] = mapped_column(String)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    on_time: Mapped[bool] = mapped_column(Boolean)
    late_credit: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10), index=True)
    priority: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_score: Mapped[float] = mapped_column(Float)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The newest report; the FK is added after grade_reports exists (the two tables point at each other).
    latest_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("grade_reports.id", use_alter=True), nullable=True
    )
    # Sent through a platform's webhook: its own id for the submission is the idempotency key.
    platform_id: Mapped[str | None] = mapped_column(ForeignKey("platforms.id"), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    callback_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What the learner was told submitting then meant (grader.deadline.Verdict.to_dict), kept as said.
    deadline: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class GradeReportRow(Base):
    """Append-only: a regrade adds a row and moves ``submissions.latest_report_id``."""

    __tablename__ = "grade_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)  # read it with ``read_report``, never by key
    feedback_html: Mapped[str] = mapped_column(Text)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON)

    def read_report(self) -> StoredReport:
        """The report typed: every reader goes through here (CorruptData names the row and the field)."""
        return StoredReport.from_json(self.report, f"grade report {self.id}")


class PlatformRow(Base):
    """A course platform that posts submissions to the webhook and receives signed results."""

    __tablename__ = "platforms"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    secret: Mapped[str] = mapped_column(String(128))  # HMAC key: both directions need it in the clear
    callback_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    courses: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DeliveryRow(Base):
    """One result sent to a platform: the outbox row written with the grade it reports.

    ``seq`` orders deliveries of one learner and assignment on one platform; ``payload`` is
    frozen at creation, so every retry sends the same bytes under the same delivery id.
    """

    __tablename__ = "deliveries"
    __table_args__ = (CheckConstraint(one_of("status", DELIVERY_STATUSES), name="status"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    # a webhook platform's id, or lti:<registration id> for a score sent to an LTI line item
    platform_id: Mapped[str] = mapped_column(String(64), index=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    assignment_id: Mapped[str] = mapped_column(String(32))
    learner: Mapped[str] = mapped_column(String(200))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("grade_reports.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ExamRow(Base):
    """An exam as uploaded: its spec text and question notebooks are kept as sent (exam_files)."""

    __tablename__ = "exams"
    __table_args__ = (UniqueConstraint("course", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    course: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    spec_name: Mapped[str] = mapped_column(String(200))
    spec_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExamFileRow(Base):
    __tablename__ = "exam_files"

    exam_id: Mapped[str] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))


class AccommodationRow(Base):
    """Extra time for one learner in one course: their exams' time limits are multiplied by it."""

    __tablename__ = "accommodations"

    course: Mapped[str] = mapped_column(String(200), primary_key=True)
    learner: Mapped[str] = mapped_column(String(200), primary_key=True)
    time_multiplier: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttemptRow(Base):
    """One sitting of an exam by one learner. ``number`` is unique per exam and learner, so two
    starts racing each other cannot exceed the attempts allowed."""

    __tablename__ = "exam_attempts"
    __table_args__ = (
        UniqueConstraint("exam_id", "learner", "number"),
        CheckConstraint(one_of("state", ATTEMPT_STATES), name="state"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    exam_id: Mapped[str] = mapped_column(ForeignKey("exams.id"), index=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(64))
    variant: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accommodation: Mapped[float] = mapped_column(Float)
    extension_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    remaining_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  # kept while in error
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    on_time: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    assignment_id: Mapped[str | None] = mapped_column(ForeignKey("assignments.id"), nullable=True)
    submission_id: Mapped[str | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttemptAnswerRow(Base):
    """Work saved during an attempt, one notebook per question; the last save wins."""

    __tablename__ = "attempt_answers"

    attempt_id: Mapped[str] = mapped_column(ForeignKey("exam_attempts.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttemptEventRow(Base):
    """Append-only: every state change of an attempt, with who, when and why."""

    __tablename__ = "attempt_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("exam_attempts.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(250))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ProctoringReviewRow(Base):
    """A proctoring provider's outcome for an attempt; its own review id makes a repeat harmless."""

    __tablename__ = "proctoring_reviews"
    __table_args__ = (
        UniqueConstraint("provider", "review_id"),
        CheckConstraint(one_of("outcome", REVIEW_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("exam_attempts.id"), index=True)
    provider: Mapped[str] = mapped_column(ForeignKey("platforms.id"))
    review_id: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    comments: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied: Mapped[bool] = mapped_column(Boolean)  # False until the attempt is graded and it takes effect


class ProgrammeRow(Base):
    """A programme as uploaded (its spec text is the source of truth for its rules)."""

    __tablename__ = "programmes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    spec_name: Mapped[str] = mapped_column(String(200))
    spec_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProgrammeCourseRow(Base):
    """Which courses feed which programmes: a grade in the course becomes an event in each."""

    __tablename__ = "programme_courses"

    programme_id: Mapped[str] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True
    )
    course: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class RecordEventRow(Base):
    """Append-only, hash-chained per programme and learner (records/history.py)."""

    __tablename__ = "record_events"
    __table_args__ = (UniqueConstraint("programme_id", "learner", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[str] = mapped_column(String(40))  # ISO text exactly as hashed
    actor: Mapped[str] = mapped_column(String(250))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ShareLinkRow(Base):
    """A learner's link to their signed record; only the token's hash is kept."""

    __tablename__ = "share_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ShareAccessRow(Base):
    """Every use of a share link, refused or not."""

    __tablename__ = "share_accesses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    share_id: Mapped[str] = mapped_column(ForeignKey("share_links.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str] = mapped_column(String(500))
    granted: Mapped[bool] = mapped_column(Boolean)


class RegradeRunRow(Base):
    """An instructor's regrade of an assignment: re-run, compared, then accepted or discarded."""

    __tablename__ = "regrade_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    sources: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, nullable=True
    )  # {path: base64} of a fixed source
    status: Mapped[str] = mapped_column(String(12))  # open, accepted, discarded
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RegradeResultRow(Base):
    """One stored submission re-run by a regrade: the proposed grade, kept aside until accepted."""

    __tablename__ = "regrade_results"

    run_id: Mapped[str] = mapped_column(ForeignKey("regrade_runs.id"), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # queued, graded, failed
    old_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    new_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    feedback_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class IssuedCredentialRow(Base):
    """A standard credential handed out (records/issuance.py): its status list position and what it claimed.

    The position is the row's id: positions are never reused, so a revoked credential's bit
    can never come to mean another credential.
    """

    __tablename__ = "issued_credentials"

    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credential_id: Mapped[str] = mapped_column(String(800), unique=True)
    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id"), index=True)
    learner: Mapped[str] = mapped_column(String(200))
    course: Mapped[str] = mapped_column(String(200))  # "" for the CLR and the programme credential
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegradePolicyRow(Base):
    """A course's terms for learners' regrade requests; a course without a row has the defaults."""

    __tablename__ = "regrade_policies"
    __table_args__ = (
        CheckConstraint("window_days >= 0", name="window_days"),
        CheckConstraint("tokens >= 0", name="tokens"),
    )

    course: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_days: Mapped[int] = mapped_column(Integer)  # days after the grade was released
    tokens: Mapped[int] = mapped_column(Integer)  # per learner; 0: requests cost no token
    author: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegradeRequestRow(Base):
    """A learner's request to look again at one graded cell, its triage and staff's answer.

    ``open_cell`` is set only while the request is open, and unique: at most one open request
    per cell. ``token_slot`` is set only while a token is spent, unique per course and learner
    and below the course's allowance, so two requests can never spend one token.
    """

    __tablename__ = "regrade_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", REQUEST_STATUSES), name="status"),
        CheckConstraint(one_of("triage_status", TRIAGE_STATUSES), name="triage_status"),
        CheckConstraint("token_slot >= 0", name="token_slot"),
        UniqueConstraint("open_cell"),
        UniqueConstraint("course", "learner", "token_slot"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), index=True)
    course: Mapped[str] = mapped_column(String(200), index=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    notebook: Mapped[str] = mapped_column(String)
    grade_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    open_cell: Mapped[str | None] = mapped_column(String(500), nullable=True)
    token_slot: Mapped[int | None] = mapped_column(Integer, nullable=True)
    token_spent: Mapped[bool] = mapped_column(Boolean)
    report_id: Mapped[int] = mapped_column(ForeignKey("grade_reports.id"))  # the grade asked about
    old_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_score: Mapped[float] = mapped_column(Float)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    triage_status: Mapped[str] = mapped_column(String(20))
    triage: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # both runs, staff only
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    new_report_id: Mapped[int | None] = mapped_column(ForeignKey("grade_reports.id"), nullable=True)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("regrade_runs.id"), nullable=True)


class IntegrityPrintRow(Base):
    """A submission's answer fingerprints (``integrity.prints``), kept so that later ones compare with it."""

    __tablename__ = "integrity_prints"
    __table_args__ = (Index("ix_integrity_prints_pool_learner", "pool", "learner"),)  # latest, cohort size

    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    pool: Mapped[str] = mapped_column(
        String(300), index=True
    )  # what compares: an assignment's name or an exam
    course: Mapped[str] = mapped_column(String(200))
    learner: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prints: Mapped[dict[str, Any]] = mapped_column(JSON)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IntegrityPostingRow(Base):
    """One fingerprint of one answer of a learner's latest submission in a pool: who shares what, by lookup.

    Only each learner's latest submission has postings (``store.integrity.save_prints`` keeps
    it so), so the rows of one fingerprint count the learners holding it, as the cohort weighs.
    """

    __tablename__ = "integrity_postings"

    pool: Mapped[str] = mapped_column(String(300), primary_key=True)
    answer_key: Mapped[str] = mapped_column(String(300), primary_key=True)  # notebook::grade_id
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), primary_key=True, index=True)


class IntegrityPairRow(Base):
    """Two submissions whose answers look alike, with the report that shows why, and its review."""

    __tablename__ = "integrity_pairs"
    __table_args__ = (
        UniqueConstraint("submission_a", "submission_b"),
        CheckConstraint(one_of("state", INTEGRITY_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool: Mapped[str] = mapped_column(String(300), index=True)
    course: Mapped[str] = mapped_column(String(200), index=True)
    submission_a: Mapped[str] = mapped_column(ForeignKey("submissions.id"))
    submission_b: Mapped[str] = mapped_column(ForeignKey("submissions.id"))
    learner_a: Mapped[str] = mapped_column(String(200))
    learner_b: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    code_score: Mapped[float] = mapped_column(Float)
    text_score: Mapped[float] = mapped_column(Float)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("exam_attempts.id"), nullable=True)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IntegrityEventRow(Base):
    """Append-only: a learner's integrity history, one row per review of a pair of theirs."""

    __tablename__ = "integrity_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    learner: Mapped[str] = mapped_column(String(200), index=True)
    course: Mapped[str] = mapped_column(String(200))
    pair_id: Mapped[int] = mapped_column(ForeignKey("integrity_pairs.id"))
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    attempt_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class LtiRegistrationRow(Base):
    """An LTI 1.3 platform registration: one issuer and client id, its login, token and key URLs."""

    __tablename__ = "lti_registrations"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(Text)
    token_url: Mapped[str] = mapped_column(Text)
    jwks_url: Mapped[str] = mapped_column(Text)
    courses: Mapped[list[str]] = mapped_column(JSON)
    # The ``aud`` of the tool's client assertion when the platform wants other than its token URL
    # (Brightspace shows its "OAuth2 Audience"; Dynamic Registration's ``authorization_server``).
    token_audience: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiDeploymentRow(Base):
    """A deployment of the tool on a registered platform: launches must name one of these."""

    __tablename__ = "lti_deployments"

    registration_id: Mapped[str] = mapped_column(ForeignKey("lti_registrations.id"), primary_key=True)
    deployment_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiLoginRow(Base):
    """A login's state and nonce, kept server-side: the launch must bring both back once, in time.

    Kept here rather than only in a cookie so that a launch inside an iframe, where the
    browser withholds third-party cookies, can still be bound to the login that began it.
    """

    __tablename__ = "lti_logins"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("lti_registrations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LtiInvitationRow(Base):
    """A one-time, expiring invitation to register a platform by LTI Dynamic Registration.

    Only the SHA-256 of its token is kept: the URL is shown to the admin once. ``used_at`` and
    ``registration_id`` are set in the transaction that stores the registration it made.
    """

    __tablename__ = "lti_invitations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    registration_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the id to give it
    courses: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    registered_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # what it made
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LtiLineItemRow(Base):
    """Where an assignment's scores go on one LTI platform, for one of its course contexts (from a launch)."""

    __tablename__ = "lti_line_items"

    registration_id: Mapped[str] = mapped_column(ForeignKey("lti_registrations.id"), primary_key=True)
    context_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiExamLineItemRow(Base):
    """Where an exam's standing goes on one LTI platform, for one of its course contexts (from a launch)."""

    __tablename__ = "lti_exam_line_items"

    registration_id: Mapped[str] = mapped_column(ForeignKey("lti_registrations.id"), primary_key=True)
    context_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    exam_id: Mapped[str] = mapped_column(ForeignKey("exams.id"), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiContextRow(Base):
    """A platform course (context) launched into one of our courses, and where its roster is (NRPS)."""

    __tablename__ = "lti_contexts"

    registration_id: Mapped[str] = mapped_column(ForeignKey("lti_registrations.id"), primary_key=True)
    context_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    course: Mapped[str] = mapped_column(String(200))
    memberships_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiDeepLinkRow(Base):
    """An item of ours placed into a platform course by deep linking, whose line item the platform made.

    One row per platform course and ``resource_id``: the first placement asks for the line
    item, every later one finds this row and does not. ``line_items_url`` is the course's
    line item container, where scores find the item by its ``resource_id`` before anyone launches.
    """

    __tablename__ = "lti_deep_links"

    registration_id: Mapped[str] = mapped_column(ForeignKey("lti_registrations.id"), primary_key=True)
    context_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    target: Mapped[str] = mapped_column(String(32), index=True)
    line_items_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
