"""A learner's deadline ledger in one course: its entries, and the state they fold into.

Deadlines were one per assignment; a ledger lets one learner's differ without touching
anyone else's. Each entry is a fact that was granted or spent (an extension, late-day
tokens spent on an assignment, an accommodation, a late-day budget), never edited: a
correction is a new entry. ``fold_ledger`` reads nothing but its arguments, so the state
of any ledger can be recomputed from its entries to check it, and folding the same entry
twice (a replay) changes nothing: entries are known by their sequence number.

Kinds and their fields:

    extension      assignment_id, and due (a new deadline) or extra (time added to it)
    late_days      assignment_id, days: tokens spent on that assignment (at most once each)
    accommodation  multiplier (>= 1) for "extensions" and/or "exams" (applies_to)
    policy         days: the learner's late-day budget in the course from now on
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from grader.errors import BadInput
from grader.late import parse_time

KINDS = ("extension", "late_days", "accommodation", "policy")
ACCOMMODATES = ("extensions", "exams")


@dataclass(frozen=True)
class LedgerEntry:
    """One fact in a ledger; ``seq`` orders the entries and names each one (a replay repeats it)."""

    seq: int
    kind: str
    at: datetime
    author: str
    reason: str
    assignment_id: str | None = None
    due: datetime | None = None
    extra: timedelta | None = None
    days: int = 0
    multiplier: float = 1.0
    applies_to: tuple[str, ...] = ()

    def terms(self) -> dict[str, Any]:
        """The kind's own fields in JSON form (what the store keeps beside kind, author and reason)."""
        if self.kind == "extension":
            if self.due is not None:
                return {"due": self.due.isoformat()}
            return {"extra_hours": (self.extra or timedelta()).total_seconds() / 3600}
        if self.kind == "accommodation":
            return {"multiplier": self.multiplier, "applies_to": list(self.applies_to)}
        return {"days": self.days}


@dataclass(frozen=True)
class Ledger:
    """The folded state: what the entries add up to for deadlines and credit."""

    grants: Mapping[str, tuple[LedgerEntry, ...]] = field(default_factory=dict)  # extensions per assignment
    spent: Mapping[str, int] = field(default_factory=dict)  # late days spent per assignment
    budget: int = 0
    extension_multiplier: float = 1.0
    exam_multiplier: float = 1.0
    last_seq: int = 0

    @property
    def days_left(self) -> int:
        return max(0, self.budget - sum(self.spent.values()))

    def shift(self, assignment_id: str, due: datetime) -> timedelta:
        """How far this learner's deadline for the assignment lies after ``due``: the largest
        extension granted (an extension only ever extends), scaled by an accommodation."""
        best = timedelta()
        for grant in self.grants.get(assignment_id, ()):
            moved = grant.due - due if grant.due is not None else grant.extra or timedelta()
            best = max(best, moved)
        return best * self.extension_multiplier


def fold_ledger(entries: Iterable[LedgerEntry]) -> Ledger:
    """The state of a ledger from its entries alone, in sequence order, each entry once."""
    state = Ledger()
    for entry in sorted({entry.seq: entry for entry in entries}.values(), key=lambda e: e.seq):
        state = replace(apply_entry(state, entry), last_seq=entry.seq)
    return state


def apply_entry(state: Ledger, entry: LedgerEntry) -> Ledger:
    """One entry's effect. A late-day spend on an assignment that already has one, or beyond
    the budget left, spends nothing: a token is spent at most once per assignment."""
    item = entry.assignment_id or ""
    if entry.kind == "extension":
        return replace(state, grants={**state.grants, item: (*state.grants.get(item, ()), entry)})
    if entry.kind == "late_days":
        if item in state.spent or not 0 < entry.days <= state.days_left:
            return state
        return replace(state, spent={**state.spent, item: entry.days})
    if entry.kind == "accommodation":
        return replace(
            state,
            extension_multiplier=entry.multiplier if "extensions" in entry.applies_to else 1.0,
            exam_multiplier=entry.multiplier if "exams" in entry.applies_to else 1.0,
        )
    if entry.kind == "policy":
        return replace(state, budget=entry.days)
    raise ValueError(f"unknown ledger entry kind {entry.kind!r}")  # the store keeps only KINDS


def parse_terms(kind: str, terms: Mapping[str, Any], assignment_id: str | None) -> dict[str, Any]:
    """An entry's fields from JSON input (the API, a CSV row, the store); BadInput naming the field."""
    if kind not in KINDS:
        raise BadInput(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind in ("extension", "late_days") and not assignment_id:
        raise BadInput(f"a {kind.replace('_', ' ')} entry needs an assignment")
    if kind == "extension":
        return parse_extension(terms)
    if kind == "accommodation":
        return parse_accommodation(terms)
    days = terms.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
        raise BadInput("days must be a whole number from 0 to 365")
    return {"days": days}


def parse_extension(terms: Mapping[str, Any]) -> dict[str, Any]:
    due, extra = terms.get("due"), terms.get("extra_hours")
    if (due is None) == (extra is None):
        raise BadInput("an extension needs either due (a new deadline) or extra_hours (time added), not both")
    if due is not None:
        if not isinstance(due, str):
            raise BadInput("due must be an ISO 8601 date and time")
        return {"due": parse_time(due, "due")}
    if isinstance(extra, bool) or not isinstance(extra, int | float) or not 0 < extra <= 24 * 365:
        raise BadInput("extra_hours must be a number of hours above 0 and at most a year (8760)")
    return {"extra": timedelta(hours=float(extra))}


def parse_accommodation(terms: Mapping[str, Any]) -> dict[str, Any]:
    multiplier, applies_to = terms.get("multiplier"), terms.get("applies_to", list(ACCOMMODATES))
    if isinstance(multiplier, bool) or not isinstance(multiplier, int | float) or not 1 <= multiplier <= 10:
        raise BadInput("multiplier must be a number from 1 to 10 (1.5 means half as much time again)")
    if (
        not isinstance(applies_to, list)
        or not applies_to
        or not all(isinstance(item, str) and item in ACCOMMODATES for item in applies_to)
    ):
        raise BadInput(f"applies_to must list one or both of {', '.join(ACCOMMODATES)}")
    return {"multiplier": float(multiplier), "applies_to": tuple(sorted(set(applies_to)))}


def make_entry(
    seq: int,
    kind: str,
    at: datetime,
    author: str,
    reason: str,
    assignment_id: str | None,
    terms: Mapping[str, Any],
) -> LedgerEntry:
    """A checked entry; what the store reads back goes through here too, so both agree."""
    return LedgerEntry(
        seq, kind, at, author, reason, assignment_id, **parse_terms(kind, terms, assignment_id)
    )
