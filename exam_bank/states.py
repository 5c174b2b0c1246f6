"""The life of an exam attempt, in the spirit of edx-proctoring's attempt states.

    created ─start→ started ─submit / auto_submit→ submitted ─grade→ graded
    started ─fail→ error ─resume→ started            (resumed with the time it had left)
    graded ─review_clean / verify→ verified
    graded ─review_suspicious / review_violation→ second_review ─verify / reject→ verified / rejected
    graded ─reject→ rejected;  verified / rejected ─reopen→ second_review

A proctoring provider's verdict alone never rejects an attempt: a violation sends it to a
second review, where an instructor decides. Only a verified attempt counts for credit on a
proctored exam. ``TRANSITIONS`` is the whole table, so a test can try every pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from grader.errors import IllegalTransition

STATES = ("created", "started", "submitted", "graded", "verified", "rejected", "second_review", "error")

# event -> {from state: to state}
TRANSITIONS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "start": MappingProxyType({"created": "started"}),
        "submit": MappingProxyType({"started": "submitted"}),
        "auto_submit": MappingProxyType({"started": "submitted"}),
        "fail": MappingProxyType({"started": "error"}),
        "resume": MappingProxyType({"error": "started"}),
        "grade": MappingProxyType({"submitted": "graded"}),
        "review_clean": MappingProxyType({"graded": "verified"}),
        "review_suspicious": MappingProxyType({"graded": "second_review"}),
        "review_violation": MappingProxyType({"graded": "second_review"}),
        "verify": MappingProxyType({"second_review": "verified", "graded": "verified"}),
        "reject": MappingProxyType({"second_review": "rejected", "graded": "rejected"}),
        "reopen": MappingProxyType({"verified": "second_review", "rejected": "second_review"}),
    }
)
EVENTS = tuple(TRANSITIONS)

# How an error message says where the attempt is and what the event would have done to it.
_IS = {"second_review": "in second review", "error": "in error"}
_DONE = {
    "start": "started",
    "submit": "submitted",
    "auto_submit": "submitted automatically",
    "fail": "marked as failed",
    "resume": "resumed",
    "grade": "graded",
    "review_clean": "reviewed as clean",
    "review_suspicious": "reviewed as suspicious",
    "review_violation": "reviewed as a violation",
    "verify": "verified",
    "reject": "rejected",
    "reopen": "reopened",
}


def transition(state: str, event: str) -> str:
    """The state after ``event``; ``IllegalTransition`` if ``state`` does not allow it.

    An unknown state or event name is a ``ValueError``: a caller bug, not a conflict.
    """
    if state not in STATES:
        raise ValueError(f"unknown attempt state {state!r}")
    if event not in TRANSITIONS:
        raise ValueError(f"unknown attempt event {event!r}")
    target = TRANSITIONS[event].get(state)
    if target is None:
        allowed = ", ".join(allowed_events(state))
        raise IllegalTransition(
            f"an attempt that is {_IS.get(state, state)} cannot be {_DONE[event]} (allowed from {state}: {allowed})"
        )
    return target


def allowed_events(state: str) -> tuple[str, ...]:
    """The events that ``state`` allows, in table order."""
    return tuple(event for event, moves in TRANSITIONS.items() if state in moves)


def counts_for_credit(state: str, requires_proctoring: bool) -> bool:
    """A proctored exam counts once verified; an unproctored one once graded (or verified)."""
    if state not in STATES:
        raise ValueError(f"unknown attempt state {state!r}")
    return state == "verified" or (state == "graded" and not requires_proctoring)
