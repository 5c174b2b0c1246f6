"""The promises the database keeps for regrade requests, under concurrency, on SQLite and PostgreSQL:
one open request per cell, never more tokens spent than the course gives, and an upheld answer
stored with its grade version and refund in one transaction."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader.errors import Conflict
from grader.stored_report import StoredCell
from store import Store, SubmissionRecord, regrade_requests
from tests.builders import report_cell, report_dict
from tests.properties import examples

NOW = datetime(2030, 3, 2, 12, 0, tzinfo=UTC)
LEARNERS = itertools.count()


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


def cell(store: Store, submission_id: str) -> StoredCell:
    latest = store.latest_report(submission_id)
    assert latest is not None
    return latest.report.cells[0]


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


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_requests_that_chose_the_same_token_both_open_while_tokens_remain(
    store: Store, make_submission: Callable[..., SubmissionRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race that refused a learner with a token left (seen under load): both pick slot 0, one commits first."""
    store.set_regrade_policy("ds101", 7, 2, "prof", NOW)
    submissions = [graded(store, make_submission) for _ in range(2)]
    chosen = threading.Barrier(2, timeout=30)
    original = regrade_requests.free_token_slot
    first_choice = threading.local()

    def choose_together(*args: Any) -> int:
        slot = original(*args)
        if not getattr(first_choice, "made", False):
            first_choice.made = True
            chosen.wait()  # both have chosen before either inserts
        return slot

    monkeypatch.setattr(regrade_requests, "free_token_slot", choose_together)
    opened, refused = race(
        [
            lambda s=s, r=r: store.open_regrade_request(s, cell(store, s), "why", r, NOW)
            for s, r in submissions
        ]
    )
    assert (len(opened), refused) == (2, [])
    assert sorted(r["token_spent"] for r in store.list_regrade_requests()) == [True, True]
    assert store.tokens_left("ds101", "alice") == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_upheld_answer_against_a_stale_grade_stores_nothing(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    store.set_regrade_policy("ds101", 7, 1, "prof", NOW)
    sid, report_id = graded(store, make_submission)
    opened = store.open_regrade_request(sid, cell(store, sid), "why", report_id, NOW)
    latest = store.latest_report(sid)
    assert latest is not None
    new = {**latest.report.to_dict(), "score": 2.0}
    with pytest.raises(Conflict):
        store.uphold_regrade_request(opened["id"], "prof", "ok", report_id + 99, (new, "", {}), NOW)
    after = store.get_regrade_request(opened["id"])
    assert (after["status"], after["token_refunded"]) == ("open", False)
    assert len(store.report_history(sid)) == 1


ACTIONS = st.lists(
    st.tuples(st.sampled_from(["open", "uphold", "deny", "allowance"]), st.integers(0, 3)), max_size=14
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
# Found by the property (2026-12-04): a token refunded, then the allowance lowered under the one still
# spent, and the free slot below the new allowance was spent as well: two tokens out of one.
@example(actions=[("open", 0), ("open", 2), ("uphold", 0), ("allowance", 1), ("open", 1)])
def test_any_sequence_of_requests_and_answers_keeps_the_token_books_straight(
    store: Store, make_submission: Callable[..., SubmissionRecord], actions: list[tuple[str, int]]
) -> None:
    """Tokens left never go below zero or above the allowance; each request spends at most one,
    and only an upheld one gets it back; a cell never has two open requests."""
    store.set_regrade_policy("ds101", 7, 2, "prof", NOW)
    learner = f"l{next(LEARNERS)}"  # hypothesis reuses the store: a fresh learner per example
    cells = [graded(store, make_submission, learner) for _ in range(4)]
    for action, n in actions:
        mine = [r for r in store.list_regrade_requests() if r["learner"] == learner]
        still_open = [r for r in mine if r["status"] == "open"]
        try:
            if action == "open":
                sid, report_id = cells[n]
                left = store.tokens_left("ds101", learner)
                made = store.open_regrade_request(sid, cell(store, sid), "why", report_id, NOW)
                assert left >= 1 or not made["token_spent"]  # never spent a token it did not have
            elif action == "allowance":
                store.set_regrade_policy("ds101", 7, n, "prof", NOW)
            elif still_open:
                target = still_open[n % len(still_open)]
                if action == "deny":
                    store.deny_regrade_request(target["id"], "prof", "no", NOW)
                else:
                    upheld(store, target)
        except Conflict:
            pass
        mine = [r for r in store.list_regrade_requests() if r["learner"] == learner]
        allowance = store.regrade_policy("ds101")["tokens"]
        held = sum(r["token_spent"] and not r["token_refunded"] for r in mine)
        assert 0 <= store.tokens_left("ds101", learner) == max(0, allowance - held)
        assert all(r["status"] == "upheld" for r in mine if r["token_refunded"])
        assert all(r["token_refunded"] for r in mine if r["status"] == "upheld" and r["token_spent"])
        open_cells = [r["submission_id"] for r in mine if r["status"] == "open"]
        assert len(open_cells) == len(set(open_cells))


def upheld(store: Store, request: dict[str, Any]) -> None:
    latest = store.latest_report(request["submission_id"])
    assert latest is not None
    stored = latest.report.to_dict()
    report = {**stored, "cells": [{**stored["cells"][0], "score": 2.0}], "score": 2.0}
    store.uphold_regrade_request(request["id"], "prof", "yes", latest.id, (report, "", {}), NOW)
