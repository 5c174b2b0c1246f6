"""The similarity index (store/integrity.py), on SQLite and PostgreSQL: prints kept once per submission
and posted for the learner's latest only, the unchecked found newest first, pairs recorded once and
listed by score, a review refused unless its state is known, and written to both learners' histories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grader.errors import BadInput, NotFound
from store import Store, SubmissionRecord
from store.integrity import NewPair
from store.rows import MAX_ID
from tests.web.reports import grade

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
POOL = "assignment:hw1"
PRINTS = {"hw.ipynb::q": {"kind": "code", "text": "", "prints": [[7, 1, 1]]}}


def save(store: Store, submission: SubmissionRecord, prints: dict[str, Any] = PRINTS) -> bool:
    return store.save_prints(
        submission.id, POOL, "ds101", submission.learner, submission.received_at, prints, {"q": [7]}, NOW
    )


def report(score: float) -> dict[str, Any]:
    return {"score": score, "code_score": score, "text_score": 0.0, "cells": []}


def pair(a: SubmissionRecord, b: SubmissionRecord, score: float = 0.5) -> NewPair:
    return NewPair(a.id, b.id, a.learner, b.learner, report(score))


@pytest.fixture
def paired(store: Store, make_submission: Callable[..., SubmissionRecord]) -> int:
    """alice and mallory's submissions recorded as a similar pair; its id."""
    store.add_pairs(POOL, "ds101", [pair(make_submission("alice"), make_submission("mallory"))], NOW)
    (found,) = store.list_pairs()
    return found.id


def test_prints_are_kept_once_per_submission_and_read_back_by_pool_and_by_id(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    alice, bob = make_submission("alice"), make_submission("bob", NOW - timedelta(days=1))
    assert save(store, alice) and save(store, bob)
    changed = {"hw.ipynb::q": {"kind": "code", "text": "", "prints": [[9, 1, 1]]}}
    assert save(store, alice, changed)  # a retried job replaces, never duplicates
    assert [(p.submission_id, p.learner) for p in store.pool_prints(POOL)] == [
        (bob.id, "bob"),
        (alice.id, "alice"),
    ]
    assert store.pool_prints("another pool") == []
    found = store.find_prints(alice.id)
    assert found is not None and found.prints == changed and found.received_at == alice.received_at
    assert store.find_prints("never-indexed") is None
    assert [p.submission_id for p in store.prints_of([alice.id, alice.id, "never-indexed"])] == [alice.id]


def test_only_the_learners_latest_submission_is_posted(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    later = make_submission("alice", NOW + timedelta(hours=1))
    earlier = make_submission("alice", NOW)
    assert save(store, later) is True
    assert save(store, earlier) is False  # checked after the later one: stored, not posted
    assert store.holders(POOL, {"q": [7]}) == {("q", 7): [later.id]}
    assert store.find_prints(earlier.id) is not None


def test_unchecked_submissions_are_the_latest_graded_never_indexed_oldest_first(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    first, second, third, indexed = (make_submission(who) for who in ("ann", "bo", "cy", "di"))
    make_submission("ed")  # queued, not graded: nothing to check yet
    for submission in (first, second, third, indexed):
        grade(store, submission.id)
    save(store, indexed)
    assert store.unchecked_submissions(10) == [first.id, second.id, third.id]
    assert store.unchecked_submissions(2) == [second.id, third.id]  # a lost queue loses the newest
    assert store.unchecked_submissions(0) == []


def test_a_pair_is_recorded_once_and_pairs_are_listed_by_score(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> None:
    ann, bo, cy = (make_submission(who) for who in ("ann", "bo", "cy"))
    assert store.add_pairs(POOL, "ds101", [pair(ann, bo, 0.4), pair(ann, cy, 0.9)], NOW) == 2
    assert store.add_pairs(POOL, "ds101", [pair(ann, bo, 0.4)], NOW) == 0  # a retried check
    assert store.add_pairs("exam:x", "ds202", [pair(bo, cy, 0.6)], NOW) == 1
    listed = store.list_pairs()
    assert [(p.learner_b, p.score, p.state, p.reason) for p in listed] == [
        ("cy", 0.9, "unreviewed", ""),
        ("cy", 0.6, "unreviewed", ""),
        ("bo", 0.4, "unreviewed", ""),
    ]
    assert listed[0].report == report(0.9) and listed[0].reviewer is None
    assert [p.course for p in store.list_pairs(courses={"ds202"})] == ["ds202"]
    assert store.list_pairs(courses=set()) == []
    assert [p.score for p in store.list_pairs(pool=POOL)] == [0.9, 0.4]
    assert store.list_pairs(state="confirmed") == []
    assert store.get_pair(listed[0].id) == listed[0]


def test_an_unknown_pair_is_not_found(store: Store, paired: int) -> None:
    for pair_id in (0, -1, paired + 1, MAX_ID, MAX_ID + 1, 2**63):  # past any key: not found, never a crash
        with pytest.raises(NotFound, match="no similar pair"):
            store.get_pair(pair_id)
        with pytest.raises(NotFound):
            store.review_pair(pair_id, "confirmed", "why", "prof", None, NOW)


def test_a_review_changes_the_pair_and_both_learners_histories(store: Store, paired: int) -> None:
    reviewed = store.review_pair(paired, "confirmed", "same structure", "prof", None, NOW)
    assert (reviewed.state, reviewed.reason, reviewed.reviewer, reviewed.reviewed_at) == (
        "confirmed",
        "same structure",
        "prof",
        NOW,
    )
    assert store.get_pair(paired) == reviewed
    store.review_pair(paired, "dismissed", "explained in a meeting", "dean", None, NOW + timedelta(days=1))
    for learner in ("alice", "mallory"):
        history = store.integrity_history(learner)
        assert [(e.pair_id, e.state, e.author, e.course) for e in history] == [
            (paired, "confirmed", "prof", "ds101"),
            (paired, "dismissed", "dean", "ds101"),
        ]
    assert store.integrity_history("alice", courses={"ds202"}) == []
    assert store.integrity_history("bob") == []


def test_a_review_in_an_unknown_state_is_refused_and_writes_nothing(
    store: Store, paired: int, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    for state in ("guilty", "", "Confirmed"):
        with pytest.raises(BadInput, match="state must be one of"):
            store.review_pair(paired, state, "why", "prof", None, NOW)
    assert row_counts() == before and store.get_pair(paired).state == "unreviewed"
