from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from grader.errors import BadInput, NotFound
from store import Store, TokenRecord
from store.tokens import LAST_USED_STEP

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


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


def test_tokens_are_listed_without_secrets_revoked_ones_too(store: Store) -> None:
    _, first = store.create_token("instructor", "prof", ["ds101"])
    _, second = store.create_token("learner", "alice", None)
    store.revoke_token(second.id)
    listed = store.list_tokens()
    assert [(t.id, t.name, t.role) for t in listed] == [
        (first.id, "prof", "instructor"),
        (second.id, "alice", "learner"),
    ]
    assert listed[0].revoked_at is None and listed[1].revoked_at is not None
    assert [t.id for t in store.list_tokens(name="alice")] == [second.id]


def test_revoking_gives_back_the_token_as_it_now_is(store: Store) -> None:
    _, record = store.create_token("learner", "alice", None)
    revoked = store.revoke_token(record.id, NOW)
    assert (revoked.id, revoked.revoked_at) == (record.id, NOW)
    assert (
        store.revoke_token(record.id, NOW + timedelta(hours=1)).revoked_at == NOW
    )  # the first revocation stands
    assert store.get_token(record.id) == revoked


def test_getting_an_unknown_token_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_token(12345)


def live(store: Store, plaintext: str) -> TokenRecord:
    found = store.find_token(plaintext)
    assert found is not None
    return found


def test_a_use_is_noted_once_per_step_so_reading_stays_cheap(store: Store) -> None:
    plaintext, _ = store.create_token("learner", "alice", None)
    assert live(store, plaintext).last_used_at is None
    store.note_token_use(live(store, plaintext), NOW)
    assert live(store, plaintext).last_used_at == NOW
    store.note_token_use(live(store, plaintext), NOW + LAST_USED_STEP / 2)
    assert live(store, plaintext).last_used_at == NOW  # within the step: no write
    later = NOW + LAST_USED_STEP
    store.note_token_use(live(store, plaintext), later)
    assert live(store, plaintext).last_used_at == later
