"""Granting ledger entries to a course: checked as a whole, then the credit they change, planned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grader.errors import InvalidSpec
from grader.late import LatePolicy, LateStep
from grader.late_credit import StoredWork
from grader.ledger import make_entry
from grader.ledger_change import EVERYONE, Grant, grant_from_dict, ledgers_of, plan_grants

DUE = datetime(2030, 3, 1, 12, tzinfo=UTC)
POLICIES = {"hw1": LatePolicy(DUE, (LateStep(DUE, 0.0),)), "undated": LatePolicy()}
NOW = DUE + timedelta(days=3)


def work(learner: str, hours_late: float, sid: str = "") -> StoredWork:
    return StoredWork(
        sid or f"s-{learner}", learner, DUE + timedelta(hours=hours_late), "received", False, 0.0
    )


def extension(learner: str, hours: float = 48, **extra: Any) -> Grant:
    return Grant(learner, "extension", "hw1", {"extra_hours": hours}, extra.get("reason", "illness"))


def plan(*grants: Grant, existing: tuple[Any, ...] = (), stored: tuple[StoredWork, ...] = ()) -> Any:
    return plan_grants(existing, grants, "prof", NOW, POLICIES, {"hw1": stored})


def test_an_extension_restores_the_credit_of_that_learners_late_work_only() -> None:
    change = plan(extension("alice"), stored=(work("alice", 10), work("bob", 10)))
    assert [learner for learner, _ in change.entries] == ["alice"]
    assert change.learners() == ["alice"]
    assert change.credit_dicts() == [
        {
            "assignment_id": "hw1",
            "submission_id": "s-alice",
            "learner": "alice",
            "status": "received",
            "old_on_time": False,
            "new_on_time": True,
            "old_credit": 0.0,
            "new_credit": 1.0,
            "old_score": None,
            "new_score": None,
        }
    ]


def test_a_grant_to_everyone_reaches_every_learner_with_work() -> None:
    change = plan(
        Grant(EVERYONE, "extension", "hw1", {"extra_hours": 24}, "outage"),
        stored=(work("a", 1), work("b", 2)),
    )
    assert change.learners() == ["a", "b"]


def test_new_entries_are_numbered_after_the_existing_ones() -> None:
    existing = (("alice", make_entry(7, "policy", DUE, "prof", "start", None, {"days": 2})),)
    change = plan(extension("alice"), extension("bob"), existing=existing)
    assert [entry.seq for _, entry in change.entries] == [8, 9]


def test_every_bad_grant_is_named_by_its_row_and_none_is_kept() -> None:
    with pytest.raises(InvalidSpec) as caught:
        plan(
            extension("alice"),
            extension(""),
            extension("bob", reason="  "),
            Grant("carol", "late_days", "hw1", {"days": 1}, "x"),
            Grant("dan", "extension", "hw9", {"extra_hours": 1}, "x"),
            Grant("erin", "extension", "undated", {"extra_hours": 1}, "x"),
            Grant("fay", "extension", "hw1", {"due": (DUE - timedelta(hours=1)).isoformat()}, "x"),
            extension("gus\x00"),
            extension("hal", hours=-1),
        )
    rows = [problem.split(":")[0] for problem in caught.value.problems]
    assert rows == [f"row {row}" for row in range(2, 10)]
    assert "late days are spent by submitting" in caught.value.problems[2]
    assert "no assignment 'hw9'" in caught.value.problems[3]
    assert "no due date" in caught.value.problems[4]
    assert "is not after" in caught.value.problems[5]


def test_nothing_to_grant_is_refused() -> None:
    with pytest.raises(InvalidSpec, match="nothing to grant"):
        plan()


def test_the_confirmation_digest_follows_what_the_preview_showed() -> None:
    stored = (work("alice", 10),)
    first = plan(extension("alice"), stored=stored)
    assert first.confirm == plan(extension("alice"), stored=stored).confirm
    assert first.confirm != plan(extension("alice", hours=72), stored=stored).confirm
    assert first.confirm != plan(extension("alice"), stored=(work("alice", 10, "s-2"),)).confirm


def test_each_learners_ledger_holds_their_entries_and_the_course_wide_ones() -> None:
    budget = make_entry(1, "policy", DUE, "prof", "start", None, {"days": 3})
    own = make_entry(2, "late_days", DUE, "prof", "x", "hw1", {"days": 1})
    ledgers = ledgers_of([(EVERYONE, budget), ("alice", own)], ["alice", "bob", EVERYONE])
    assert ledgers["alice"].days_left == 2 and ledgers["bob"].days_left == 3
    assert ledgers[EVERYONE].days_left == 3


def test_a_grant_from_json_keeps_the_kinds_fields_as_its_terms() -> None:
    body = {"learner": "alice", "assignment_id": "hw1", "reason": "why", "extra_hours": 5}
    assert grant_from_dict(body, 1) == Grant("alice", "extension", "hw1", {"extra_hours": 5}, "why")


@pytest.mark.parametrize(
    ("body", "message"),
    [([1], "each entry must be a JSON object"), ({"learner": 5}, "learner must be a string")],
)
def test_a_grant_from_json_of_the_wrong_shape_is_refused_with_its_row(body: Any, message: str) -> None:
    with pytest.raises(InvalidSpec, match=f"^row 4: {message}"):
        grant_from_dict(body, 4)
