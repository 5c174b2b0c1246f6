"""Ledger rows read as the pure core's entries and the late days a submission spends
(store/ledger_entries.py), on SQLite and PostgreSQL: each learner sees their own entries and the
course-wide ones, never another learner's or course's, however many are named; a spend is once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from grader.errors import Conflict
from grader.ledger_change import EVERYONE, Grant
from store import AssignmentRecord, Store, SubmissionRecord, ledger_entries
from store.ledger_entries import course_ledgers, ledger_rows, spend_late_days
from store.models import SubmissionRow

AT = datetime(2030, 3, 5, 12, tzinfo=UTC)


def budget(learner: str, days: int) -> Grant:
    return Grant(learner, "policy", None, {"days": days}, "budget")


@pytest.fixture
def ledgers(store: Store) -> Store:
    store.grant_ledger_entries(
        "ds101", [budget(EVERYONE, 3), budget("alice", 2), budget("bob", 1)], "prof", AT
    )
    store.grant_ledger_entries("ds202", [budget("alice", 9)], "prof", AT)
    return store


@pytest.mark.parametrize("few_at_once", [False, True], ids=["in-one-query", "more-than-a-query-takes"])
def test_a_learner_reads_their_entries_and_the_course_wide_ones_only(
    ledgers: Store, monkeypatch: pytest.MonkeyPatch, few_at_once: bool
) -> None:
    if few_at_once:
        monkeypatch.setattr(ledger_entries, "MAX_NAMED", 0)
    with ledgers.transaction() as session:
        rows = ledger_rows(session, "ds101", ["alice"])
        assert [(r.learner, r.terms["days"]) for r in rows] == [(EVERYONE, 3), ("alice", 2)]
        assert [r.learner for r in ledger_rows(session, "ds101")] == [EVERYONE, "alice", "bob"]
        assert ledger_rows(session, "ds999", ["alice"]) == []
        states = course_ledgers(session, "ds101", ["alice", "carol"])
    assert set(states) == {"alice", "carol", EVERYONE}
    assert states["carol"].budget == states[EVERYONE].budget != states["alice"].budget


def test_a_submission_spends_late_days_once_per_assignment(
    store: Store,
    make_assignment: Callable[..., AssignmentRecord],
    make_submission: Callable[..., SubmissionRecord],
) -> None:
    store.grant_ledger_entries("ds101", [budget("alice", 3)], "prof", AT)
    first, second = make_submission("alice"), make_submission("alice")
    with store.transaction(write=True) as session:
        spend_late_days(session, session.get(SubmissionRow, first.id), "ds101", 2, AT)
    spent = [e for e in store.ledger_entries("ds101", "alice") if e.kind == "late_days"]
    assert [(e.kind, e.terms, e.author, e.submission_id) for e in spent] == [
        ("late_days", {"days": 2}, "alice", first.id)
    ]
    with pytest.raises(Conflict, match="submit again"), store.transaction(write=True) as session:
        spend_late_days(session, session.get(SubmissionRow, second.id), "ds101", 1, AT)
    assert len(store.ledger_entries("ds101", "alice")) == 2  # the budget and the one spend
    with store.transaction() as session:
        assert course_ledgers(session, "ds101", ["alice"])["alice"].spent == {first.assignment_id: 2}


def test_another_learner_or_assignment_spends_its_own(
    store: Store,
    make_assignment: Callable[..., AssignmentRecord],
    make_submission: Callable[..., SubmissionRecord],
) -> None:
    other = make_assignment(name="hw2")
    alices, bobs = make_submission("alice"), make_submission("bob")
    elsewhere = store.add_submission(other.id, "alice", "hw.ipynb", b"nb", AT, True, 1.0)
    with store.transaction(write=True) as session:
        for submission in (alices, bobs, elsewhere):
            spend_late_days(session, session.get(SubmissionRow, submission.id), "ds101", 1, AT)
    assert len(store.ledger_entries("ds101")) == 3
