"""The promises the database keeps for regrade requests, under concurrency, on SQLite and PostgreSQL:
one open request per cell, never more tokens spent than the course gives, and an upheld answer
stored with its grade version and refund in one transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from grader.errors import Conflict
from store import Store, SubmissionRecord
from tests.builders import report_cell, report_dict

NOW = datetime(2030, 3, 2, 12, 0, tzinfo=UTC)


def graded(
    store: Store, make_submission: Callable[..., SubmissionRecord], learner: str = "alice"
) -> tuple[str, int]:
    submission = make_submission(learner)
    store.claim_submission(submission.id)
    report = report_dict(report_cell("test_answer", 0.0, 2.0, "failed"), score=0.0, max_score=2.0)
    assert store.save_grade(submission.id, report, "", {})
    latest = store.latest_report(submission.id)
    assert latest is not None
    return submission.id, latest.id


def cell(store: Store, submission_id: str) -> dict[str, Any]:
    latest = store.latest_report(submission_id)
    assert latest is not None
    return dict(latest.report["cells"][0])


def race(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results.append(call())
        except Conflict as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_concurrent_requests_on_one_cell_open_one(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    sid, report_id = graded(store, make_submission)
    found = cell(store, sid)
    opened, refused = race(
        [lambda: store.open_regrade_request(sid, found, "why", report_id, NOW) for _ in range(4)]
    )
    assert len(opened) == 1 and len(refused) == 3
    assert len(store.list_regrade_requests(status="open")) == 1


def test_concurrent_requests_never_spend_more_tokens_than_the_course_gives(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    store.set_regrade_policy("ds101", 7, 2, "prof", NOW)
    submissions = [graded(store, make_submission) for _ in range(4)]  # four of alice's, one cell each
    opened, refused = race(
        [
            lambda s=s, r=r: store.open_regrade_request(s, cell(store, s), "why", r, NOW)
            for s, r in submissions
        ]
    )
    assert len(opened) == 2 and len(refused) == 2
    assert store.tokens_left("ds101", "alice") == 0
    assert sorted(r["token_spent"] for r in store.list_regrade_requests()) == [True, True]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_upheld_answer_against_a_stale_grade_stores_nothing(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    store.set_regrade_policy("ds101", 7, 1, "prof", NOW)
    sid, report_id = graded(store, make_submission)
    opened = store.open_regrade_request(sid, cell(store, sid), "why", report_id, NOW)
    latest = store.latest_report(sid)
    assert latest is not None
    new = {**latest.report, "score": 2.0}
    with pytest.raises(Conflict):
        store.uphold_regrade_request(opened["id"], "prof", "ok", report_id + 99, (new, "", {}), NOW)
    after = store.get_regrade_request(opened["id"])
    assert (after["status"], after["token_refunded"]) == ("open", False)
    assert len(store.report_history(sid)) == 1
