"""Per-learner deadlines (service/deadlines.py), on SQLite and PostgreSQL: what submitting now would
mean, the deadlines shown, grants previewed then confirmed and sent, and extensions read from a CSV."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from grader.errors import Conflict, InvalidSpec
from grader.ledger_change import Grant
from service.deadlines import (
    deadlines_on,
    grant,
    grants_from_csv,
    learner_deadlines,
    preview_grants,
    what_submitting_means,
)
from store import AssignmentRecord, PlatformOrigin, Store
from tests.store.test_assignment_changes import graded
from tests.web.fakes import FakeEnqueuer

DUE = datetime(2030, 3, 1, 12, tzinfo=UTC)
LATE = DUE + timedelta(hours=20)
AT = DUE + timedelta(days=5)
POLICY = [{"after": DUE.isoformat(), "credit": 50}]


@pytest.fixture
def late_hw(make_assignment: Callable[..., AssignmentRecord]) -> AssignmentRecord:
    return make_assignment(name="late-hw", due_at=DUE, late_policy=POLICY)


def flu(assignment: AssignmentRecord, learner: str = "alice") -> Grant:
    return Grant(learner, "extension", assignment.id, {"extra_hours": 48}, "flu")


def test_submitting_late_earns_the_policys_credit_until_an_extension_moves_the_deadline(
    store: Store, late_hw: AssignmentRecord
) -> None:
    before = what_submitting_means(store, late_hw, "alice", LATE)
    assert (before["on_time"], before["credit"], before["due"]) == (False, 0.5, DUE.isoformat())
    grant(store, FakeEnqueuer(), "ds101", [flu(late_hw)], "prof", AT)
    after = what_submitting_means(store, late_hw, "alice", LATE)
    assert (after["on_time"], after["credit"]) == (True, 1.0)
    assert after["due"] == (DUE + timedelta(hours=48)).isoformat()
    assert what_submitting_means(store, late_hw, "bob", LATE)["credit"] == 0.5  # only alice's ledger


def test_a_retired_assignment_accepts_nothing_whatever_the_ledger(
    store: Store, late_hw: AssignmentRecord
) -> None:
    grant(store, FakeEnqueuer(), "ds101", [flu(late_hw)], "prof", AT)
    retired = store.retire_assignment(late_hw.id, "prof", "replaced", AT)
    assert retired is not None
    meaning = what_submitting_means(store, store.get_assignment(late_hw.id), "alice", DUE - timedelta(days=1))
    assert (meaning["kind"], meaning["on_time"], meaning["credit"]) == ("not_accepted", False, 0.0)


def test_the_deadlines_on_an_assignment_list_only_its_learners_with_entries(
    store: Store, late_hw: AssignmentRecord, make_assignment: Callable[..., AssignmentRecord]
) -> None:
    other = make_assignment(name="late-hw2", due_at=DUE, late_policy=POLICY)
    grants = [flu(late_hw, "bob"), flu(late_hw), flu(other, "carol")]
    grant(store, FakeEnqueuer(), "ds101", grants, "prof", AT)
    shown = deadlines_on(store, late_hw)
    assert [d.learner for d in shown] == ["alice", "bob"]
    assert all(d.due == DUE + timedelta(hours=48) and len(d.entries) == 1 for d in shown)
    assert [d.learner for d in deadlines_on(store, other)] == ["carol"]


def test_a_learner_sees_their_own_deadline_beside_the_assignments(
    store: Store, late_hw: AssignmentRecord, assignment: AssignmentRecord
) -> None:
    grant(store, FakeEnqueuer(), "ds101", [flu(late_hw)], "prof", AT)
    mine = {d["assignment_id"]: d for d in learner_deadlines(store, "ds101", "alice")["deadlines"]}
    assert mine[late_hw.id]["due"] == DUE.isoformat()
    assert mine[late_hw.id]["your_due"] == (DUE + timedelta(hours=48)).isoformat()
    assert mine[assignment.id]["due"] is None and mine[assignment.id]["your_due"] is None
    theirs = {d["assignment_id"]: d for d in learner_deadlines(store, "ds101", "bob")["deadlines"]}
    assert theirs[late_hw.id]["your_due"] == DUE.isoformat()


def test_a_grant_moving_credit_is_previewed_then_needs_the_confirmation_and_sends_the_new_grade(
    store: Store, late_hw: AssignmentRecord
) -> None:
    store.create_platform("lms", "LMS", "https://lms.example/results", ["ds101"])
    origin = PlatformOrigin("lms", "ext-1", "0" * 64, "https://lms.example/results")
    work = store.add_submission(late_hw.id, "alice", "hw.ipynb", b"nb", LATE, False, 0.5, origin=origin)
    graded(store, work)
    plan = preview_grants(store, "ds101", [flu(late_hw)], "prof", AT)
    assert [(c["old_score"], c["new_score"]) for c in plan.credit_dicts()] == [(1.0, 2.0)]
    assert store.ledger_entries("ds101") == []  # a preview keeps nothing
    enqueuer = FakeEnqueuer()
    with pytest.raises(Conflict, match="preview"):
        grant(store, enqueuer, "ds101", [flu(late_hw)], "prof", AT)
    with pytest.raises(Conflict):
        grant(store, enqueuer, "ds101", [flu(late_hw)], "prof", AT, "not-the-confirmation")
    assert store.ledger_entries("ds101") == [] and enqueuer.deliveries == []
    granted = grant(store, enqueuer, "ds101", [flu(late_hw)], "prof", AT, plan.confirm)
    assert [e.kind for e in granted.entries] == ["extension"]
    assert store.get_submission(work.id).score == 2.0
    assert [key.learner for key, _ in enqueuer.deliveries] == ["alice"]


@pytest.mark.parametrize(
    ("grants", "refused"),
    [
        ([Grant("alice", "extension", "no-such-assignment", {"extra_hours": 1}, "flu")], "no-such"),
        (
            [Grant("alice", "extension", None, {"extra_hours": -5}, "flu")],
            "extra_hours must be a number of hours above 0",
        ),
        ([Grant("", "extension", None, {"extra_hours": 5}, "flu")], "learner: a name of 1 to 200"),
    ],
    ids=["unknown-assignment", "negative-hours", "no-learner"],
)
def test_a_bad_grant_is_refused_and_stores_nothing(
    store: Store, late_hw: AssignmentRecord, grants: list[Grant], refused: str
) -> None:
    grants = [Grant(g.learner, g.kind, g.assignment_id or late_hw.id, g.terms, g.reason) for g in grants]
    with pytest.raises(InvalidSpec, match=refused):
        grant(store, FakeEnqueuer(), "ds101", grants, "prof", AT)
    assert store.ledger_entries("ds101") == []


def test_a_csv_names_assignments_by_name_or_id(store: Store, late_hw: AssignmentRecord) -> None:
    text = f"learner,assignment,extra_hours,reason\nalice,late-hw,48,flu\nbob,{late_hw.id},24,visa\n"
    grants = grants_from_csv(store, "ds101", text)
    assert [(g.learner, g.assignment_id, g.terms) for g in grants] == [
        ("alice", late_hw.id, {"extra_hours": 48.0}),
        ("bob", late_hw.id, {"extra_hours": 24.0}),
    ]


def test_a_csv_naming_another_courses_assignment_or_lacking_columns_is_refused(
    store: Store, late_hw: AssignmentRecord, make_assignment: Callable[..., AssignmentRecord]
) -> None:
    elsewhere = make_assignment(course="ds202", name="other")
    grants = grants_from_csv(store, "ds101", "learner,assignment,extra_hours,reason\nalice,other,48,flu\n")
    assert grants[0].assignment_id == "other"  # not resolved to ds202's assignment
    assert grants[0].assignment_id != elsewhere.id
    with pytest.raises(InvalidSpec):
        grant(store, FakeEnqueuer(), "ds101", grants, "prof", AT)
    with pytest.raises(InvalidSpec, match="missing: reason"):
        grants_from_csv(store, "ds101", "learner,assignment,extra_hours\nalice,late-hw,48\n")
