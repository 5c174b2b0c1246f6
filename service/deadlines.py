"""Per-learner deadlines: granting ledger entries (one, or in bulk by CSV) with a preview of the
credit they move, reading a ledger, and telling a learner what submitting now would mean.

The API and the pages both call these. A grant that moves credit restates those grades as
new versions in the store's transaction; platforms get ``grade.updated`` for each, from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from grader.deadline import effective_due, judge
from grader.extension_csv import read_extensions
from grader.ledger_change import Grant, LedgerChange
from service.intake import late_policy_of
from service.queue import Enqueuer, send_results_of
from store import AssignmentRecord, LedgerGrantRecord, LedgerRecord, Store


def what_submitting_means(
    store: Store, assignment: AssignmentRecord, learner: str, now: datetime
) -> dict[str, Any]:
    """What work received ``now`` would earn: the statement shown before uploading, as it would be stored."""
    if assignment.retired_at is not None:
        return {
            "kind": "not_accepted",
            "statement": "not accepted: this assignment takes no more submissions",
            "on_time": False,
            "credit": 0.0,
            "due": None,
            "late_days_spent": 0,
            "late_days_in_force": 0,
        }
    ledger = store.ledger_of(assignment.course, learner)
    verdict = judge(ledger, assignment.id, late_policy_of(assignment), now, may_spend=True)
    return {**verdict.to_dict(), "late_days_left": ledger.days_left - verdict.spend}


@dataclass(frozen=True)
class LearnerDeadline:
    """One learner's ledger on one assignment, as the gradebook shows it."""

    learner: str
    entries: list[LedgerRecord]
    due: datetime | None


def deadlines_on(store: Store, assignment: AssignmentRecord) -> list[LearnerDeadline]:
    """Every learner with an extension or late days on the assignment, and their deadline for it."""
    records = [r for r in store.ledger_entries(assignment.course) if r.assignment_id == assignment.id]
    learners = sorted({r.learner for r in records})
    ledgers = store.course_ledgers(assignment.course, learners)
    policy = late_policy_of(assignment)
    return [
        LearnerDeadline(
            learner,
            [r for r in records if r.learner == learner],
            effective_due(ledgers[learner], assignment.id, policy),
        )
        for learner in learners
    ]


def learner_deadlines(store: Store, course: str, learner: str) -> dict[str, Any]:
    """Each assignment's deadline for this learner beside the assignment's own, and late days left."""
    state = store.ledger_of(course, learner)
    items = []
    for assignment in store.list_assignments(course):
        policy = late_policy_of(assignment)
        due = effective_due(state, assignment.id, policy)
        items.append(
            {
                "assignment_id": assignment.id,
                "name": assignment.name,
                "due": policy.due.isoformat() if policy.due else None,
                "your_due": due.isoformat() if due else None,
                "late_days_spent": state.spent.get(assignment.id, 0),
            }
        )
    return {"late_days_left": state.days_left, "deadlines": items}


def preview_grants(
    store: Store, course: str, grants: Sequence[Grant], author: str, now: datetime
) -> LedgerChange:
    """The entries ``grants`` would add and whose credit they would move, changing nothing."""
    return store.plan_ledger_grants(course, grants, author, now)


def grant(
    store: Store,
    enqueuer: Enqueuer,
    course: str,
    grants: Sequence[Grant],
    author: str,
    now: datetime,
    confirm: str | None = None,
) -> LedgerGrantRecord:
    """Add the entries; restate and send every grade they move (needs the preview's ``confirm`` then)."""
    granted = store.grant_ledger_entries(course, grants, author, now, confirm)
    for restated in granted.regraded:
        if restated["status"] == "graded":
            send_results_of(enqueuer, store.get_submission(restated["submission_id"]))
    return granted


def grants_from_csv(store: Store, course: str, text: str) -> list[Grant]:
    """Extension grants from a CSV (``grader.extension_csv``); assignments named by name or id."""
    assignments = {a.name: a.id for a in store.list_assignments(course)}
    return read_extensions(text, {**assignments, **{i: i for i in assignments.values()}})
