"""The database adapter: SQLAlchemy tables, alembic migrations, and plain records out.

Everything above this package sees ``Store`` methods, frozen records and ``grader.errors``;
no ORM object or SQLAlchemy exception leaves it.
"""

from __future__ import annotations

from store.db import Store, make_engine
from store.deliveries import Claim, DeliveryKey
from store.rows import (
    AccountRecord,
    AssignmentChangeRecord,
    AssignmentRecord,
    AttemptEventRecord,
    AttemptRecord,
    DeliveryRecord,
    ExamRecord,
    IntegrityEventRecord,
    IntegrityPairRecord,
    LedgerGrantRecord,
    LedgerRecord,
    LtiContextRecord,
    LtiInvitationRecord,
    LtiLoginRecord,
    LtiRegistrationRecord,
    PlatformRecord,
    ReportRecord,
    ReviewRecord,
    SubmissionRecord,
    TokenRecord,
)
from store.submissions import PlatformOrigin

__all__ = [
    "AccountRecord",
    "AssignmentChangeRecord",
    "AssignmentRecord",
    "AttemptEventRecord",
    "AttemptRecord",
    "Claim",
    "DeliveryKey",
    "DeliveryRecord",
    "ExamRecord",
    "LedgerGrantRecord",
    "LedgerRecord",
    "IntegrityEventRecord",
    "IntegrityPairRecord",
    "LtiContextRecord",
    "LtiInvitationRecord",
    "LtiLoginRecord",
    "LtiRegistrationRecord",
    "PlatformOrigin",
    "PlatformRecord",
    "ReportRecord",
    "ReviewRecord",
    "Store",
    "SubmissionRecord",
    "TokenRecord",
    "make_engine",
]
