"""Accepting a regrade run: every changed grade becomes a new version with the instructor's reason.

Platforms get ``grade.updated`` and programme records a new event, which a freeze lets
through because it carries a reason. Scores a person gave since the re-run are kept
(``grader.manual.keep_hand_grades``). Only the web calls this; the re-run itself is the
worker's job (``worker/regrades.py``), which needs a sandbox, and this does not.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from grader.assignment import build_assignment
from grader.manual import keep_hand_grades
from grader.notebooks import dump_notebook
from service.queue import Enqueuer, send_results_of
from store import Store

log = logging.getLogger(__name__)


def start_regrade(
    store: Store,
    enqueuer: Enqueuer,
    assignment_id: str,
    reason: str,
    author: str,
    fixed: Mapping[str, bytes] | None,
    now: datetime,
) -> str:
    """Open a run over every graded submission and queue each re-run; the run's id.

    A re-run Redis refused stays queued in the run; accepting waits until every one is done.
    """
    run_id, submissions = store.open_regrade(assignment_id, reason, author, fixed, now)
    for submission_id in submissions:
        try:
            enqueuer.enqueue_regrade(run_id, submission_id)
        except Exception:
            log.warning("could not enqueue regrade of %s", submission_id, exc_info=True)
    return run_id


def accept_regrade(store: Store, enqueuer: Enqueuer, run_id: str, author: str, now: datetime) -> int:
    """Apply the run's changed grades as new versions; returns how many changed."""
    run = store.get_regrade(run_id)
    store.decide_regrade(run_id, "accepted", now)
    assignment_id, fixed, _ = store.regrade_sources(run_id)
    if fixed:
        built = build_assignment({**fixed, **store.assignment_files(assignment_id, "data")})
        store.replace_sources(
            assignment_id,
            fixed,
            {p: dump_notebook(nb) for p, nb in built.releases.items()},
            [c.to_dict() for c in built.rubric.cells],
            built.rubric.version,
            built.rubric.max_score,
        )
    changed = 0
    for submission_id, proposed, feedback, provenance in store.proposed_changes(run_id):
        latest = store.latest_report(submission_id)
        if latest is None:
            continue
        kept, feedback = keep_hand_grades(proposed, feedback, latest.report)  # and any given since the re-run
        change = {
            "kind": "regrade",
            "run": run_id,
            "author": author,
            "reason": run["reason"],
            "previous_score": latest.report.score,
            "score": kept.score,
        }
        store.save_changed_grade(
            submission_id,
            latest.id,
            kept.amended(change=change),
            feedback,
            {**provenance, "change": change, "based_on_report": latest.id},
        )
        changed += 1
        send_results_of(enqueuer, store.get_submission(submission_id))
    return changed
