"""Deadline ledgers in the store, on SQLite and PostgreSQL: append-only, granted with a preview,
restating the grades they move as new versions, and late days spent by a submission once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from grader.errors import Conflict, InvalidSpec
from grader.ledger_change import Grant
from store import AssignmentRecord, PlatformOrigin, Store, SubmissionRecord
from tests.store.test_assignment_changes import graded

DUE = datetime(2030, 3, 1, 12, tzinfo=UTC)
AT = DUE + timedelta(days=5)
POLICY = [{"after": DUE.isoformat(), "credit": 50}]


@pytest.fixture
def late_hw(make_assignment: Callable[..., AssignmentRecord]) -> AssignmentRecord:
    return make_assignment(name="late-hw", due_at=DUE, late_policy=POLICY)


def late_submission(store: Store, assignment: AssignmentRecord, learner: str = "alice") -> SubmissionRecord:
    return store.add_submission(
        assignment.id, learner, "hw.ipynb", b"nb", DUE + timedelta(hours=20), False, 0.5
    )


def grant_confirmed(store: Store, *grants: Grant) -> None:
    store.grant_ledger_entries(
        "ds101", grants, "prof", AT, store.plan_ledger_grants("ds101", grants, "prof", AT).confirm
    )


def test_the_ledger_table_refuses_updates_and_deletes(store: Store, late_hw: AssignmentRecord) -> None:
    store.grant_ledger_entries("ds101", [Grant("alice", "policy", None, {"days": 2}, "budget")], "prof", AT)
    for statement in ("UPDATE deadline_ledger SET terms = '{\"days\": 9}'", "DELETE FROM deadline_ledger"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    assert [e.terms for e in store.ledger_entries("ds101", "alice")] == [{"days": 2}]


def test_the_database_keeps_one_late_day_spend_per_learner_and_assignment(
    store: Store, late_hw: AssignmentRecord
) -> None:
    """Two submissions spending at once (PostgreSQL reads committed) cannot both write one."""
    spend = (
        "INSERT INTO deadline_ledger (course, learner, kind, assignment_id, terms, author, reason, at) "
        f"VALUES ('ds101', 'alice', 'late_days', '{late_hw.id}', '{{\"days\": 1}}', 'alice', 'r', '2030-03-02')"
    )
    with store.engine.begin() as connection:
        connection.execute(text(spend))
    with pytest.raises(Exception, match="(?i)unique"), store.engine.begin() as connection:
        connection.execute(text(spend))
    extension = spend.replace("'late_days'", "'extension'").replace('"days": 1', '"extra_hours": 1')
    with store.engine.begin() as connection:
        connection.execute(text(extension))
        connection.execute(text(extension))


def test_an_extension_is_previewed_then_restates_the_late_grade(
    store: Store, late_hw: AssignmentRecord
) -> None:
    work = late_submission(store, late_hw)
    graded(store, work)
    assert store.get_submission(work.id).score == 1.0  # half of 2 points: late
    grants = [Grant("alice", "extension", late_hw.id, {"extra_hours": 48}, "flu")]
    plan = store.plan_ledger_grants("ds101", grants, "prof", AT)
    shown = plan.credit_dicts()[0]
    assert (shown["assignment_id"], shown["old_score"], shown["new_score"]) == (late_hw.id, 1.0, 2.0)
    assert store.ledger_entries("ds101") == []  # a preview keeps nothing
    with pytest.raises(Conflict, match="preview"):
        store.grant_ledger_entries("ds101", grants, "prof", AT)
    granted = store.grant_ledger_entries("ds101", grants, "prof", AT, plan.confirm)
    assert [e.kind for e in granted.entries] == ["extension"] and granted.regraded == plan.credit_dicts()
    assert store.get_submission(work.id).score == 2.0
    history = store.report_history(work.id)
    assert [r.report.score for r in history] == [1.0, 2.0]
    note = history[-1].report.change
    assert note is not None and (note.kind, note.reason, note.author) == ("ledger", "flu", "prof")


def test_a_bad_row_keeps_nothing_and_names_every_bad_row(
    store: Store, late_hw: AssignmentRecord, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    grants = [
        Grant("alice", "extension", late_hw.id, {"extra_hours": 24}, "ok"),
        Grant("bob", "extension", "nope", {"extra_hours": 24}, "typo"),
        Grant("carol", "extension", late_hw.id, {"extra_hours": 24}, " "),
    ]
    with pytest.raises(InvalidSpec) as refused:
        store.grant_ledger_entries("ds101", grants, "prof", AT)
    assert [p.split(":")[0] for p in refused.value.problems] == ["row 2", "row 3"]
    assert row_counts() == before


@pytest.mark.parametrize("named", [500, 0])  # 0: every learner list counts as too long to name in a query
def test_a_new_late_policy_still_honours_each_learners_extension(
    named: int, monkeypatch: pytest.MonkeyPatch, store: Store, late_hw: AssignmentRecord
) -> None:
    monkeypatch.setattr("store.ledger_entries.MAX_NAMED", named)
    monkeypatch.setattr("store.assignment_changes.MAX_NAMED", named)
    alice, bob = late_submission(store, late_hw, "alice"), late_submission(store, late_hw, "bob")
    grant_confirmed(store, Grant("alice", "extension", late_hw.id, {"extra_hours": 48}, "flu"))
    harsher = {"late_policy": [{"after": DUE.isoformat(), "credit": 10}]}
    plan = store.plan_terms_change(late_hw.id, harsher)
    assert [(c.learner, c.new_on_time, c.new_credit) for c in plan.credit] == [("bob", False, 0.1)]
    store.change_terms(late_hw.id, harsher, "prof", "stricter", AT, plan.confirm)
    assert (store.get_submission(alice.id).late_credit, store.get_submission(bob.id).late_credit) == (
        1.0,
        0.1,
    )


def test_late_days_are_spent_with_the_submission_and_only_once_per_assignment(
    store: Store, late_hw: AssignmentRecord
) -> None:
    store.grant_ledger_entries("ds101", [Grant("*", "policy", None, {"days": 3}, "course rule")], "prof", AT)
    told = {"kind": "late_days", "statement": "uses 1 late day", "late_days_spent": 1, "on_time": True}
    first = store.add_submission(
        late_hw.id, "alice", "hw.ipynb", b"nb", DUE + timedelta(hours=3), True, 1.0, deadline=told
    )
    assert store.get_submission(first.id).deadline == told
    assert store.ledger_of("ds101", "alice").spent == {late_hw.id: 1}
    assert store.ledger_of("ds101", "alice").days_left == 2 and store.ledger_of("ds101", "bob").days_left == 3
    with pytest.raises(Conflict, match="submit again"):
        store.add_submission(
            late_hw.id, "alice", "hw.ipynb", b"nb", DUE + timedelta(hours=4), True, 1.0, deadline=told
        )
    assert len(store.list_submissions()) == 1
    assert [e.submission_id for e in store.ledger_entries("ds101", "alice") if e.kind == "late_days"] == [
        first.id
    ]


def test_a_platforms_grade_restated_by_an_extension_is_queued_for_delivery_as_a_new_version(
    store: Store, late_hw: AssignmentRecord
) -> None:
    store.create_platform("lms", "LMS", "https://lms.example/results", ["ds101"])
    origin = PlatformOrigin("lms", "ext-1", "0" * 64, "https://lms.example/results")
    received = DUE + timedelta(hours=20)
    work = store.add_submission(late_hw.id, "alice", "hw.ipynb", b"nb", received, False, 0.5, origin=origin)
    graded(store, work)
    grant_confirmed(store, Grant("alice", "extension", late_hw.id, {"extra_hours": 48}, "flu"))
    sent = store.list_deliveries(submission_id=work.id)
    grades = [(d.version, d.event, d.payload["grade"]["score"], d.payload["grade"]["on_time"]) for d in sent]
    assert grades == [(1, "grade.final", 1.0, False), (2, "grade.updated", 2.0, True)]
