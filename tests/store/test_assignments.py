from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from grader.errors import BadInput, Conflict, NotFound
from store import AssignmentRecord, Store


def test_assignment_round_trips_with_its_rubric_and_policy(
    store: Store, make_assignment: Callable[..., AssignmentRecord]
) -> None:
    due = datetime(2030, 3, 1, 23, 59, tzinfo=UTC)
    policy = [{"after": "2030-03-03T00:00:00+00:00", "credit": 50.0}]
    created = make_assignment(due_at=due, late_policy=policy, is_zip=True)
    fetched = store.get_assignment(created.id)
    assert fetched == created
    assert (fetched.course, fetched.name, fetched.max_score, fetched.is_zip) == ("ds101", "hw1", 3.0, True)
    assert fetched.rubric[0] == {
        "notebook": "hw.ipynb",
        "grade_id": "test_answer",
        "points": 2.0,
        "kind": "test",
    }
    assert fetched.late_policy == policy
    assert fetched.due_at == due and fetched.due_at.tzinfo is not None
    assert fetched.notebooks == ["hw.ipynb"]
    assert len(fetched.id) == 32


def test_due_date_in_another_zone_comes_back_as_the_same_instant_in_utc(
    store: Store, make_assignment: Callable[..., AssignmentRecord]
) -> None:
    due = datetime(2030, 3, 2, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    fetched = store.get_assignment(make_assignment(due_at=due).id)
    assert fetched.due_at == due
    assert fetched.due_at.utcoffset() == timedelta(0)


def test_files_are_kept_apart_by_kind(store: Store, make_assignment: Callable[..., AssignmentRecord]) -> None:
    record = make_assignment(
        sources={"a.ipynb": b"source a", "sub/b.ipynb": b"source b"},
        releases={"a.ipynb": b"release a", "sub/b.ipynb": b"release b"},
        data_files={"data/x.csv": b"1,2\n"},
    )
    assert store.assignment_files(record.id, "source") == {"a.ipynb": b"source a", "sub/b.ipynb": b"source b"}
    assert store.assignment_files(record.id, "release") == {
        "a.ipynb": b"release a",
        "sub/b.ipynb": b"release b",
    }
    assert store.assignment_files(record.id, "data") == {"data/x.csv": b"1,2\n"}


def test_each_file_is_stored_with_its_sha256(store: Store, assignment: AssignmentRecord) -> None:
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT kind, sha256 FROM assignment_files ORDER BY kind")).all()
    assert rows == [
        ("release", hashlib.sha256(b'{"release": true}').hexdigest()),
        ("source", hashlib.sha256(b'{"source": true}').hexdigest()),
    ]


def test_same_name_twice_in_a_course_is_a_conflict_and_adds_nothing(
    make_assignment: Callable[..., AssignmentRecord], row_counts: Callable[[], dict[str, int]]
) -> None:
    make_assignment()
    before = row_counts()
    with pytest.raises(Conflict, match="already has an assignment named 'hw1'"):
        make_assignment(sources={"other.ipynb": b"{}"})
    assert row_counts() == before


def test_same_name_in_another_course_is_allowed(make_assignment: Callable[..., AssignmentRecord]) -> None:
    first, second = make_assignment(course="ds101"), make_assignment(course="ds102")
    assert first.id != second.id


def test_unknown_assignment_is_not_found_by_get_and_none_by_find(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_assignment("0" * 32)
    assert store.find_assignment("0" * 32) is None
    with pytest.raises(NotFound):
        store.assignment_files("0" * 32, "release")


def test_assignment_is_found_by_course_and_name(store: Store, assignment: AssignmentRecord) -> None:
    assert store.find_assignment_by_name("ds101", "hw1") == assignment
    assert store.find_assignment_by_name("ds101", "hw2") is None


def test_unknown_file_kind_is_refused(store: Store, assignment: AssignmentRecord) -> None:
    with pytest.raises(BadInput):
        store.assignment_files(assignment.id, "solutions")
