"""New ledger entries for a course, checked as a whole, and the stored work whose credit they change.

Granting is planned before anything is kept, like a change to an assignment's terms
(``grader.terms``): every grant is checked (a bad one names its row, and none is kept),
then each affected learner's ledger is folded with the new entries and their stored work
judged again at the time it was received. Nothing here stores anything; the store applies it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grader.deadline import judge
from grader.errors import BadInput, InvalidSpec
from grader.late import LatePolicy
from grader.late_credit import CreditChange, Judge, StoredWork, credit_changes
from grader.ledger import Ledger, LedgerEntry, fold_ledger, make_entry

EVERYONE = "*"  # a grant to every learner of the course (a late-day budget, say)


@dataclass(frozen=True)
class Grant:
    """One entry to add, as asked for: whose ledger, what, on which assignment, and why."""

    learner: str
    kind: str
    assignment_id: str | None
    terms: Mapping[str, Any]
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "kind": self.kind,
            "assignment_id": self.assignment_id,
            "terms": dict(self.terms),
            "reason": self.reason,
        }

    def to_row(self) -> dict[str, Any]:
        """The JSON entry form (``grant_from_dict`` reads it back): the kind's fields beside the rest."""
        return {**dict(self.terms), **{k: v for k, v in self.to_dict().items() if k != "terms"}}


@dataclass(frozen=True)
class LedgerChange:
    """The entries to add (learner, entry; their seq provisional) and the credit they change, by assignment."""

    entries: tuple[tuple[str, LedgerEntry], ...]
    credit: tuple[tuple[str, CreditChange], ...] = field(default=())

    @property
    def confirm(self) -> str:
        """A digest of what the preview showed: applying with it applies exactly that, or nothing."""
        shown = {
            "entries": [(learner, e.kind, e.assignment_id, e.terms()) for learner, e in self.entries],
            "credit": [(assignment, change.to_dict()) for assignment, change in self.credit],
        }
        return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:32]

    def learners(self) -> list[str]:
        return sorted({change.learner for _, change in self.credit})

    def credit_dicts(self) -> list[dict[str, Any]]:
        return [{"assignment_id": assignment, **change.to_dict()} for assignment, change in self.credit]


def ledgers_of(entries: Iterable[tuple[str, LedgerEntry]], learners: Iterable[str]) -> dict[str, Ledger]:
    """Each learner's ledger: their own entries and the course-wide ones, folded."""
    owned: dict[str, list[LedgerEntry]] = {}
    for owner, entry in entries:
        owned.setdefault(owner, []).append(entry)
    everyone = owned.get(EVERYONE, [])
    shared = fold_ledger(everyone)
    return {
        learner: fold_ledger([*everyone, *owned[learner]])
        if learner in owned and learner != EVERYONE
        else shared
        for learner in learners
    }


def under_ledgers(policy: LatePolicy, assignment_id: str, ledgers: Mapping[str, Ledger]) -> Judge:
    """Judging stored work on the assignment with each learner's ledger (no ledger: the policy alone)."""
    everyone = ledgers.get(EVERYONE, Ledger())

    def credit(work: StoredWork) -> tuple[bool, float]:
        verdict = judge(ledgers.get(work.learner, everyone), assignment_id, policy, work.received_at)
        return verdict.on_time, verdict.credit

    return credit


def plan_grants(
    existing: Sequence[tuple[str, LedgerEntry]],
    grants: Sequence[Grant],
    author: str,
    at: datetime,
    policies: Mapping[str, LatePolicy],
    work: Mapping[str, Sequence[StoredWork]],
) -> LedgerChange:
    """The change ``grants`` make to a course whose assignments have these policies and this work.

    ``InvalidSpec`` lists every bad grant by its row (1-based) when any is bad.
    """
    next_seq = max((e.seq for _, e in existing), default=0) + 1
    added = tuple(checked_entries(grants, author, at, policies, next_seq))
    named = {grant.learner for grant in grants}
    every = {w.learner for stored in work.values() for w in stored}
    affected = every if EVERYONE in named else named & every
    after = ledgers_of([*existing, *added], affected)
    credit = tuple(
        (assignment_id, change)
        for assignment_id, policy in policies.items()
        for change in credit_changes(
            under_ledgers(policy, assignment_id, after),
            [w for w in work.get(assignment_id, ()) if w.learner in affected],
        )
    )
    return LedgerChange(added, credit)


def checked_entries(
    grants: Sequence[Grant], author: str, at: datetime, policies: Mapping[str, LatePolicy], first_seq: int
) -> list[tuple[str, LedgerEntry]]:
    entries, problems = [], []
    for row, grant in enumerate(grants, 1):
        try:
            entries.append((grant.learner, checked_entry(grant, author, at, policies, first_seq + row - 1)))
        except BadInput as exc:
            problems.append(f"row {row}: {exc.message}")
    if problems:
        raise InvalidSpec("; ".join(problems), tuple(problems))
    if not entries:
        raise InvalidSpec("nothing to grant: send at least one entry")
    return entries


def checked_entry(
    grant: Grant, author: str, at: datetime, policies: Mapping[str, LatePolicy], seq: int
) -> LedgerEntry:
    if not grant.learner or len(grant.learner) > 200 or not printable(grant.learner):
        raise InvalidSpec(
            "learner: a name of 1 to 200 printable characters (or * for every learner of the course)"
        )
    if not grant.reason.strip() or len(grant.reason) > 2000 or not printable(grant.reason):
        raise InvalidSpec(
            "reason: say why in at most 2000 printable characters (it is kept with the entry for good)"
        )
    if grant.kind == "late_days":
        raise InvalidSpec("late days are spent by submitting, not granted: grant a budget (kind policy)")
    if grant.assignment_id is not None and grant.assignment_id not in policies:
        raise InvalidSpec(f"assignment: no assignment {grant.assignment_id!r} in this course")
    entry = make_entry(seq, grant.kind, at, author, grant.reason, grant.assignment_id, grant.terms)
    if entry.kind == "extension":
        due = policies[entry.assignment_id or ""].due
        if due is None:
            raise InvalidSpec("this assignment has no due date: there is nothing to extend")
        if entry.due is not None and entry.due <= due:
            raise InvalidSpec(f"due: {entry.due.isoformat()} is not after the assignment's {due.isoformat()}")
    return entry


def printable(text: str) -> bool:
    """No control characters (a NUL above all: no database text column holds one)."""
    return not any(ord(char) < 32 or ord(char) == 127 for char in text)


GRANT_FIELDS = ("learner", "kind", "assignment_id", "reason")


def grant_from_dict(body: Mapping[str, Any], row: int) -> Grant:
    """A grant from JSON: ``learner``, ``kind``, ``assignment_id``, ``reason`` and the kind's own
    fields beside them (``extra_hours`` or ``due``, ``multiplier`` and ``applies_to``, ``days``)."""
    if not isinstance(body, Mapping):
        raise InvalidSpec(f"row {row}: each entry must be a JSON object")
    strings = {name: body.get(name) for name in GRANT_FIELDS}
    for name, value in strings.items():
        if value is not None and not isinstance(value, str):
            raise InvalidSpec(f"row {row}: {name} must be a string")
    terms = {key: value for key, value in body.items() if key not in GRANT_FIELDS}
    return Grant(
        strings["learner"] or "",
        strings["kind"] or "extension",
        strings["assignment_id"],
        terms,
        strings["reason"] or "",
    )
