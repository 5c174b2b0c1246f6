"""An assignment's life after upload: changing its terms (with a preview of what they do to
stored grades) and retiring it. The API and the pages both call these.

A change that moves lateness restates the affected grades as new versions in the store's
transaction; platforms then get ``grade.updated`` for each, sent from here once committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from grader.errors import BadInput
from grader.terms import EDITABLE, TermsChange
from service.queue import Enqueuer, send_results_of
from store import AssignmentChangeRecord, Store


def check_edit(edit: Mapping[str, Any]) -> None:
    if not edit:
        raise BadInput(f"nothing to change: send one or more of {', '.join(EDITABLE)}")


def preview_terms(store: Store, assignment_id: str, edit: Mapping[str, Any]) -> TermsChange:
    """What the edit would change, and whose grades, without changing anything."""
    check_edit(edit)
    return store.plan_terms_change(assignment_id, edit)


def change_terms(
    store: Store,
    enqueuer: Enqueuer,
    assignment_id: str,
    edit: Mapping[str, Any],
    author: str,
    reason: str,
    now: datetime,
    confirm: str | None = None,
) -> AssignmentChangeRecord | None:
    """Apply the edit and record it (None when it changes nothing); send every restated grade.

    One that moves credit needs the ``confirm`` code of its preview (``preview_terms``).
    """
    check_edit(edit)
    change = store.change_terms(assignment_id, edit, author, reason, now, confirm)
    for restated in change.regraded if change else []:
        if restated["status"] == "graded":
            send_results_of(enqueuer, store.get_submission(restated["submission_id"]))
    return change
