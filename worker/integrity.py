"""The similarity check job: index a graded submission's answers and record its similar pairs.

Enqueued by the grading job once the grade is stored, on the integrity queue that workers
serve after every other, so it never delays a grade. A submission that cannot be read as its
assignment's notebooks (it failed grading for that reason too) is skipped, not retried.
"""

from __future__ import annotations

import logging
from typing import Any

from grader.errors import BadInput
from service.integrity import check_submission
from worker import context
from worker.stored import trusted_assignment

log = logging.getLogger(__name__)


def check_similarity(submission_id: str) -> dict[str, Any]:
    ctx = context.current()
    store = ctx.store
    submission = store.get_submission(submission_id)
    try:
        found = check_submission(
            store,
            ctx.settings,
            submission_id,
            trusted_assignment(store, submission.assignment_id),
            ctx.clock(),
        )
    except BadInput as exc:
        log.info("submission %s was not checked for similarity: %s", submission_id, exc.message)
        return {"submission": submission_id, "skipped": exc.message}
    return {"submission": submission_id, "pairs": found}
