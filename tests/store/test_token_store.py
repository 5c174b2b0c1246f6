from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from grader.errors import BadInput, NotFound
from store import Store


def test_token_plaintext_is_returned_once_and_only_its_hash_is_stored(store: Store) -> None:
    plaintext, record = store.create_token("instructor", "prof", ["ds101"])
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM tokens")).scalars().all()
    assert stored == [hashlib.sha256(plaintext.encode()).hexdigest()]
    assert plaintext not in stored
    assert len(plaintext) >= 40


def test_find_token_returns_role_name_and_courses(store: Store) -> None:
    plaintext, created = store.create_token("platform", "lms", ["ds101", "ds102"])
    found = store.find_token(plaintext)
    assert found == created
    assert (found.role, found.name, found.courses) == ("platform", "lms", ("ds101", "ds102"))


def test_token_without_course_list_keeps_none(store: Store) -> None:
    plaintext, _ = store.create_token("learner", "alice", None)
    assert store.find_token(plaintext).courses is None


@pytest.mark.parametrize("plaintext", ["", "not-a-token", "x" * 500])
def test_unknown_token_is_not_found(store: Store, plaintext: str) -> None:
    store.create_token("learner", "alice", None)
    assert store.find_token(plaintext) is None


def test_revoked_token_no_longer_authenticates(store: Store) -> None:
    plaintext, record = store.create_token("learner", "alice", None)
    store.revoke_token(record.id)
    store.revoke_token(record.id)  # revoking twice is harmless
    assert store.find_token(plaintext) is None


def test_revoking_an_unknown_token_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.revoke_token(12345)


def test_each_token_is_different(store: Store) -> None:
    first, _ = store.create_token("learner", "alice", None)
    second, _ = store.create_token("learner", "alice", None)
    assert first != second
    assert store.find_token(first).id != store.find_token(second).id


@pytest.mark.parametrize(("role", "name"), [("root", "x"), ("", "x"), ("learner", "  ")])
def test_token_with_unknown_role_or_blank_name_is_refused(store: Store, role: str, name: str) -> None:
    with pytest.raises(BadInput):
        store.create_token(role, name, None)
