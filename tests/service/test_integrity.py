"""The similarity index on a real database: pairs found on arrival, in pools spanning cohorts, reviewed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from grader.errors import BadInput, NotFound
from grader.notebooks import dump_notebook
from service.integrity import check_submission, review_pair
from service.settings import Settings
from store import AssignmentRecord, Store
from tests.integrity.corpus import (
    NOTEBOOK,
    Solution,
    assignment,
    disguise,
    filled,
    honest,
    notebook,
    source_bytes,
)

TRUSTED = assignment()
SETTINGS = Settings(data_dir="/nonexistent")
NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    return sqlite_store


def add_assignment(store: Store, course: str = "ds-2026", name: str = "hw") -> AssignmentRecord:
    releases = {n: dump_notebook(nb) for n, nb in TRUSTED.releases.items()}
    rubric = [c.to_dict() for c in TRUSTED.rubric.cells]
    return store.add_assignment(
        course,
        name,
        {NOTEBOOK: source_bytes()},
        releases,
        {},
        rubric,
        TRUSTED.rubric.version,
        TRUSTED.rubric.max_score,
        None,
        [],
        False,
    )


def submit(store: Store, record: AssignmentRecord, learner: str, solution: Solution, minutes: int = 0) -> str:
    data = dump_notebook(notebook(TRUSTED.releases[NOTEBOOK], solution, random.Random(learner)))
    at = NOW + timedelta(minutes=minutes)
    submission = store.add_submission(record.id, learner, NOTEBOOK, data, at, True, 1.0)
    check_submission(store, SETTINGS, submission.id, TRUSTED, at)
    return submission.id


def solutions(count: int, seed: int = 3) -> list[Solution]:
    rng = random.Random(seed)
    return [honest(rng) for _ in range(count)]


def test_a_disguised_copy_is_paired_with_its_original_and_honest_work_is_not(store: Store) -> None:
    record = add_assignment(store)
    alice, bob, carol = solutions(3)
    original = submit(store, record, "alice", alice)
    submit(store, record, "bob", bob, 1)
    copied = submit(
        store, record, "mallory", disguise(alice, random.Random(1), ("rename", "reorder", "prints")), 2
    )
    submit(store, record, "carol", carol, 3)
    top, *rest = store.list_pairs()
    assert (top.submission_a, top.submission_b, top.learner_a, top.learner_b) == (
        original,
        copied,
        "alice",
        "mallory",
    )
    assert top.score >= 0.35 and top.state == "unreviewed" and top.course == "ds-2026"
    assert all(pair.score < 0.35 for pair in rest)
    cells = {cell["key"] for cell in top.report["cells"] if cell["spans"]}
    assert "hw.ipynb::stats" in cells


def test_a_retried_check_adds_no_pair_twice(store: Store) -> None:
    record = add_assignment(store)
    alice = solutions(1)[0]
    submit(store, record, "alice", alice)
    copied = submit(store, record, "mallory", alice, 1)
    assert check_submission(store, SETTINGS, copied, TRUSTED, NOW) == 0
    assert len(store.list_pairs()) == 1


def test_a_learner_resubmitting_is_never_paired_with_themselves(store: Store) -> None:
    record = add_assignment(store)
    alice = solutions(1)[0]
    submit(store, record, "alice", alice)
    submit(store, record, "alice", alice, 5)
    assert store.list_pairs() == []


def test_earlier_cohorts_of_the_same_assignment_are_compared(store: Store) -> None:
    last_year, this_year = add_assignment(store, "ds-2025"), add_assignment(store, "ds-2026")
    alice = solutions(1)[0]
    submit(store, last_year, "alice", alice)
    submit(
        store, this_year, "mallory", disguise(alice, random.Random(2), ("comments", "rename")), 60 * 24 * 365
    )
    (pair,) = store.list_pairs()
    assert (pair.learner_a, pair.learner_b, pair.course) == ("alice", "mallory", "ds-2026")
    assert store.list_pairs(courses={"ds-2025"}) == []


def test_another_assignment_is_another_pool(store: Store) -> None:
    alice = solutions(1)[0]
    submit(store, add_assignment(store, name="hw"), "alice", alice)
    submit(store, add_assignment(store, name="hw-other"), "mallory", alice, 1)
    assert store.list_pairs() == []


def test_submissions_sharing_only_starter_code_are_not_recorded(store: Store) -> None:
    record = add_assignment(store)
    for learner in ("alice", "bob"):
        data = dump_notebook(
            filled(
                TRUSTED,
                stats="def stats(data, limit):\n    result = []\n    for item in data:\n        pass\n",
            )
        )
        submission = store.add_submission(record.id, learner, NOTEBOOK, data, NOW, True, 1.0)
        check_submission(store, SETTINGS, submission.id, TRUSTED, NOW)
    assert store.list_pairs() == []


def test_a_review_is_written_to_both_learners_histories(store: Store) -> None:
    record = add_assignment(store)
    alice = solutions(1)[0]
    submit(store, record, "alice", alice)
    submit(store, record, "mallory", alice, 1)
    (pair,) = store.list_pairs()
    reviewed = review_pair(store, pair.id, "confirmed", "identical structure; admitted", "prof", None, NOW)
    assert (reviewed.state, reviewed.reviewer, reviewed.reason) == (
        "confirmed",
        "prof",
        "identical structure; admitted",
    )
    for learner in ("alice", "mallory"):
        (event,) = store.integrity_history(learner)
        assert (event.pair_id, event.state, event.author) == (pair.id, "confirmed", "prof")
    assert store.integrity_history("alice", courses={"other"}) == []


def test_a_review_needs_a_reason_a_known_state_and_the_learners_own_attempt(store: Store) -> None:
    record = add_assignment(store)
    alice = solutions(1)[0]
    submit(store, record, "alice", alice)
    submit(store, record, "mallory", alice, 1)
    (pair,) = store.list_pairs()
    with pytest.raises(BadInput, match="reason"):
        review_pair(store, pair.id, "dismissed", "  ", "prof", None, NOW)
    with pytest.raises(BadInput, match="state"):
        review_pair(store, pair.id, "guilty", "why", "prof", None, NOW)
    with pytest.raises(NotFound):
        review_pair(store, pair.id, "confirmed", "why", "prof", "no-such-attempt", NOW)
    with pytest.raises(NotFound):
        review_pair(store, 999, "confirmed", "why", "prof", None, NOW)
    assert store.get_pair(pair.id).state == "unreviewed"
    assert store.integrity_history("alice") == []


def exam_attempt_assignment(store: Store, exam_id: str, learner: str) -> tuple[AssignmentRecord, str]:
    """The assignment an exam attempt's questions become (each attempt its own), as attempts make them."""
    attempt = store.create_attempt(exam_id, learner, "seed", {}, 1.0, 1, None, NOW)
    releases = {n: dump_notebook(nb) for n, nb in TRUSTED.releases.items()}
    record = store.add_assignment(
        "ds-2026",
        f"exam-{attempt.id}",
        {NOTEBOOK: source_bytes()},
        releases,
        {},
        [c.to_dict() for c in TRUSTED.rubric.cells],
        TRUSTED.rubric.version,
        TRUSTED.rubric.max_score,
        None,
        [],
        False,
        exam_attempt_id=attempt.id,
    )
    return record, attempt.id


def test_an_exams_attempts_are_one_pool_and_a_pair_links_to_an_attempt(store: Store) -> None:
    exam = store.add_exam("ds-2026", "final", "Final", "final.yaml", "", {})
    (alice_exam, alice_attempt), (mallory_exam, _) = (
        exam_attempt_assignment(store, exam.id, who) for who in ("alice", "mallory")
    )
    alice = solutions(1)[0]
    submit(store, alice_exam, "alice", alice)
    submit(
        store, mallory_exam, "mallory", disguise(alice, random.Random(3), ("reorder", "comprehensions")), 1
    )
    (pair,) = store.list_pairs()
    assert pair.pool == f"exam:{exam.id}" and (pair.learner_a, pair.learner_b) == ("alice", "mallory")
    reviewed = review_pair(
        store, pair.id, "confirmed", "same answers in the exam", "prof", alice_attempt, NOW
    )
    assert reviewed.attempt_id == alice_attempt
    assert store.integrity_history("mallory")[0].attempt_id == alice_attempt
    other = store.create_attempt(exam.id, "carol", "seed", {}, 1.0, 1, None, NOW)
    with pytest.raises(BadInput, match="not either learner's"):
        review_pair(store, pair.id, "confirmed", "why", "prof", other.id, NOW)
