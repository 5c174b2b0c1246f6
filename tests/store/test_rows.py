"""The records the store hands out (store/rows.py): frozen, so no caller changes what the store said,
with what the records compute themselves right, and the vocabularies repeated from the core in step."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import store.rows as rows
from exam_bank.states import STATES
from grader.ledger import KINDS
from store.rows import (
    AssignmentRecord,
    LedgerGrantRecord,
    LedgerRecord,
    LtiInvitationRecord,
    LtiRegistrationRecord,
)

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
RECORDS = [cls for _, cls in inspect.getmembers(rows, inspect.isclass) if cls.__module__ == rows.__name__]


def assignment(rubric: list[dict[str, object]]) -> AssignmentRecord:
    return AssignmentRecord("a1", "ds101", "hw1", 3.0, rubric, "v1", None, [], False, NOW)


def ledger(entry_id: int, kind: str = "extension") -> LedgerRecord:
    return LedgerRecord(entry_id, "ds101", "alice", kind, "a1", {"days": 2}, "prof", "flu", NOW)


def invitation(**changes: Any) -> LtiInvitationRecord:
    made = LtiInvitationRecord("i1", "Moodle", None, ("ds101",), "admin", NOW, NOW + timedelta(days=1))
    return dataclasses.replace(made, **changes)


def registration(token_audience: str | None) -> LtiRegistrationRecord:
    return LtiRegistrationRecord(
        "lms", "LMS", "https://lms.example", "tool", "https://lms.example/auth", "https://lms.example/token",
        "https://lms.example/jwks", ("ds101",), ("1",), NOW, token_audience,
    )  # fmt: skip


@pytest.mark.parametrize("record", RECORDS, ids=lambda cls: cls.__name__)
def test_every_record_is_a_frozen_dataclass(record: type) -> None:
    assert dataclasses.is_dataclass(record) and record.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_a_record_cannot_be_changed_after_the_store_handed_it_out() -> None:
    entry = ledger(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.reason = "edited"  # type: ignore[misc]
    assert entry.reason == "flu"


def test_an_assignments_notebooks_are_the_rubrics_each_named_once_in_order() -> None:
    rubric = [
        {"notebook": "b.ipynb", "grade_id": "q1", "points": 1.0, "kind": "test"},
        {"notebook": "a.ipynb", "grade_id": "q2", "points": 1.0, "kind": "test"},
        {"notebook": "b.ipynb", "grade_id": "q3", "points": 1.0, "kind": "manual"},
    ]
    assert assignment(rubric).notebooks == ["a.ipynb", "b.ipynb"]
    assert assignment([]).notebooks == []


def test_a_ledger_entry_and_a_grant_turn_into_json_with_times_in_iso_8601() -> None:
    entry = ledger(1)
    assert entry.to_dict() == {
        "id": 1,
        "course": "ds101",
        "learner": "alice",
        "kind": "extension",
        "assignment_id": "a1",
        "terms": {"days": 2},
        "author": "prof",
        "reason": "flu",
        "at": "2030-03-01T12:00:00+00:00",
        "submission_id": None,
    }
    regraded = [{"submission_id": "s1", "old": 1.0, "new": 2.0}]
    grant = LedgerGrantRecord([entry, ledger(2, "late_days")], regraded)
    assert grant.to_dict() == {
        "entries": [entry.to_dict(), ledger(2, "late_days").to_dict()],
        "regraded": regraded,
    }


def test_the_tools_assertion_is_addressed_to_the_token_url_unless_the_platform_names_an_audience() -> None:
    assert registration(None).assertion_audience == "https://lms.example/token"
    assert registration("https://api.brightspace.com/auth/token").assertion_audience == (
        "https://api.brightspace.com/auth/token"
    )


def test_an_invitation_is_open_until_used_revoked_or_expired() -> None:
    later = NOW + timedelta(hours=1)
    assert invitation().state(later) == "open"
    assert invitation().state(NOW + timedelta(days=1)) == "expired"  # at the expiry itself, already closed
    assert invitation(revoked_at=later).state(later) == "revoked"
    assert invitation(used_at=later, registered_id="lms").state(later) == "used"
    assert invitation(used_at=later, revoked_at=later).state(NOW + timedelta(days=2)) == "used"  # used wins


def test_the_vocabularies_repeated_from_the_core_are_in_step_with_it() -> None:
    assert rows.ATTEMPT_STATES == STATES  # repeated so the store's check constraint imports no core
    assert rows.LEDGER_KINDS == KINDS
    assert set(rows.PERSON_ROLES) == set(rows.ROLES) - {"platform"}
    assert set(rows.UNFINISHED) < set(rows.STATUSES)
