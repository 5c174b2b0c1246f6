"""An assignment's terms: the due date, late policy and sandbox runtime that staff may change after upload.

The rubric and sources are not terms: they change only through a regrade run, which re-runs
the work against them. Terms change what a grade is worth (lateness) or how later work
runs (the runtime), so an edit is checked as a whole before anything is kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.errors import BadInput
from grader.late import LatePolicy, parse_policy
from grader.late_credit import CreditChange, Judge, StoredWork, credit_changes, under_policy

EDITABLE = ("due", "late_policy", "runtime")
RUNTIMES = ("runc", "runsc")


@dataclass(frozen=True)
class Terms:
    policy: LatePolicy = field(default_factory=LatePolicy)
    runtime: str | None = None  # runc or runsc; None means the deployment's default

    def to_dict(self) -> dict[str, Any]:
        return {**self.policy.to_dict(), "runtime": self.runtime}


def check_runtime(value: object) -> str | None:
    """An assignment may ask for gVisor (or runc) whatever the deployment's default is."""
    if value not in (None, *RUNTIMES):
        raise BadInput(f"runtime must be runc or runsc, not {value!r}")
    return value


def edit_terms(current: Terms, edit: Mapping[str, Any]) -> Terms:
    """``current`` with the fields named in ``edit`` replaced; BadInput naming the field at fault.

    The due date and the late policy are checked together (steps come after the due date), so
    moving one may need the other in the same edit. Empty text or null clears a field.
    """
    unknown = sorted(set(edit) - set(EDITABLE))
    if unknown:
        raise BadInput(f"{', '.join(unknown)}: not a term that can be changed (only {', '.join(EDITABLE)})")
    merged = {**current.to_dict(), **edit}
    due = merged["due"] or None
    if due is not None and not isinstance(due, str):
        raise BadInput("due must be an ISO 8601 date and time, or null for none")
    steps = merged["late_policy"]
    if isinstance(steps, str) and not steps.strip():
        steps = None
    return Terms(parse_policy(due, steps), check_runtime(merged["runtime"] or None))


def changed_terms(old: Terms, new: Terms) -> dict[str, dict[str, Any]]:
    """``{field: {"old": ..., "new": ...}}`` for each term that differs, in the terms' JSON form."""
    before, after = old.to_dict(), new.to_dict()
    return {
        name: {"old": before[name], "new": after[name]} for name in EDITABLE if before[name] != after[name]
    }


@dataclass(frozen=True)
class TermsChange:
    """What an edit would do: the new terms, each changed field's old and new value, and the
    stored work whose lateness (and so, once graded, whose score) it changes."""

    terms: Terms
    fields: dict[str, dict[str, Any]]
    credit: tuple[CreditChange, ...]

    def learners(self) -> list[str]:
        return sorted({change.learner for change in self.credit})

    @property
    def confirm(self) -> str:
        """A digest of everything the preview showed: applying with it applies exactly that, or nothing."""
        shown = {"fields": self.fields, "credit": [change.to_dict() for change in self.credit]}
        return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:32]


def plan_change(
    current: Terms,
    edit: Mapping[str, Any],
    work: Iterable[StoredWork],
    judge_by: Callable[[LatePolicy], Judge] = under_policy,
) -> TermsChange:
    """The change ``edit`` makes to an assignment with these terms and this stored work.

    ``judge_by`` judges the work under a policy: the store passes one that adds each learner's
    deadline ledger (``grader.ledger_change.under_ledgers``), so an extension outlives a new policy.
    """
    terms = edit_terms(current, edit)
    credit = credit_changes(judge_by(terms.policy), work) if terms.policy != current.policy else []
    return TermsChange(terms, changed_terms(current, terms), tuple(credit))
