"""Programme histories: appended, hash-chained and serialized; grades arrive with their record event; share links kept as digests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from grader.errors import Conflict, NotFound
from records.history import GENESIS, verify_history
from store import AssignmentRecord, Store, SubmissionRecord
from tests.store.test_assignment_changes import graded

NOW = datetime(2030, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def programme(store: Store) -> str:
    store.add_programme("msc", "MSc", "msc.json", "{}", ["ds101", "ml"])
    return "msc"


def test_a_programme_id_is_taken_once(store: Store, programme: str) -> None:
    with pytest.raises(Conflict, match="'msc' already exists"):
        store.add_programme("msc", "Other", "x.json", "{}", [])
    assert store.list_programmes() == ["msc"] and store.get_programme("msc") == ("MSc", "msc.json", "{}")
    with pytest.raises(NotFound):
        store.get_programme("nope")


def test_an_event_for_an_unknown_programme_is_refused(store: Store) -> None:
    with pytest.raises(NotFound, match="no programme"):
        store.append_record_event("nope", "ada", "freeze", {"reason": "r"}, NOW, "prof")


def test_appends_chain_each_learners_history_from_genesis(store: Store, programme: str) -> None:
    for reason in ("one", "two"):
        store.append_record_event(programme, "ada", "freeze", {"reason": reason}, NOW, "prof")
    store.append_record_event(programme, "bob", "freeze", {"reason": "x"}, NOW, "prof")
    ada = store.record_history(programme, "ada")
    assert [e.seq for e in ada] == [1, 2] and ada[0].prev_hash == GENESIS and ada[1].prev_hash == ada[0].hash
    assert verify_history(ada) is None and store.programme_learners(programme) == ["ada", "bob"]


def test_concurrent_appends_never_fork_a_history(store: Store, programme: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        list(
            pool.map(
                lambda i: store.append_record_event(programme, "ada", "freeze", {"reason": str(i)}, NOW, "p"),
                range(8),
            )
        )
    history = store.record_history(programme, "ada")
    assert [e.seq for e in history] == list(range(1, 9)) and verify_history(history) is None


def test_a_stored_grade_comes_with_its_record_event_and_earlier_grades_are_imported(
    store: Store, assignment: AssignmentRecord, submission: SubmissionRecord
) -> None:
    graded(store, submission)  # before any programme: imported when one is created
    store.add_programme("msc", "MSc", "msc.json", "{}", [assignment.course])
    [imported] = store.record_history("msc", "alice")
    assert (imported.kind, imported.body["item"], imported.body["score"]) == ("grade", "hw1", 2.0)
    assert imported.body["course"] == assignment.course


def test_a_share_token_is_stored_only_as_its_digest(store: Store, programme: str) -> None:
    store.add_share(programme, "ada", "the-secret-token", "for an employer", NOW)
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM share_links")).scalars().all()
    assert len(stored) == 1 and "the-secret-token" not in stored[0]
    assert store.use_share("the-secret-token", NOW, "10.0.0.9", "curl") == (programme, "ada")
    with pytest.raises(NotFound):
        store.use_share("a-guessed-token", NOW, None, "curl")


def test_a_revoked_link_grants_nothing_and_its_use_is_still_logged(store: Store, programme: str) -> None:
    share = store.add_share(programme, "ada", "tok", "", NOW)
    with pytest.raises(NotFound):
        store.revoke_share(programme, "bob", share["id"], NOW)  # not bob's link
    revoked = store.revoke_share(programme, "ada", share["id"], NOW)
    assert store.revoke_share(programme, "ada", share["id"], datetime(2031, 1, 1, tzinfo=UTC)) == revoked
    assert store.use_share("tok", NOW, "10.0.0.9", "x" * 5000) == ("", "")
    [access] = store.share_accesses(share["id"])
    assert access["granted"] is False and len(access["user_agent"]) == 500
