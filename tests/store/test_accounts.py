from __future__ import annotations

import pytest
from sqlalchemy import text

from grader.errors import BadInput, Conflict, NotFound
from service.settings import Settings
from store import Store
from tests.conftest import TEST_PASSWORD_HASH


def test_only_a_salted_hash_of_the_password_is_stored(store: Store) -> None:
    store.create_account("learner", "alice", "correct horse", None)
    store.create_account("learner", "bob", "correct horse", None)
    with store.engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM accounts")).scalars().all()
    assert all("correct horse" not in h and h.startswith("scrypt:") for h in hashes)
    assert hashes[0] != hashes[1]


def test_the_right_password_gives_the_role_name_and_courses_of_the_account(store: Store) -> None:
    created = store.create_account("instructor", "prof", "s3cret-pass", ["ds101"])
    found = store.check_password("prof", "s3cret-pass")
    assert found == created
    assert (found.role, found.name, found.courses) == ("instructor", "prof", ("ds101",))


def test_a_wrong_password_an_unknown_name_or_a_disabled_account_gives_nothing(store: Store) -> None:
    store.create_account("learner", "alice", "correct horse", None)
    assert store.check_password("alice", "wrong horse") is None
    assert store.check_password("mallory", "correct horse") is None
    store.disable_account("alice")
    assert store.check_password("alice", "correct horse") is None


def test_names_are_identities_so_a_taken_name_is_refused(store: Store) -> None:
    store.create_account("learner", "alice", "correct horse", None)
    with pytest.raises(Conflict):
        store.create_account("instructor", "alice", "another pass", None)


@pytest.mark.parametrize(
    ("role", "name", "password"),
    [
        ("platform", "lms", "long enough"),
        ("learner", " alice", "long enough"),
        ("learner", "alice", "short"),
    ],
)
def test_bad_accounts_are_refused(store: Store, role: str, name: str, password: str) -> None:
    with pytest.raises(BadInput):
        store.create_account(role, name, password, None)


def test_a_new_password_replaces_the_old(store: Store) -> None:
    store.create_account("learner", "alice", "correct horse", None)
    store.set_password("alice", "battery staple")
    assert store.check_password("alice", "correct horse") is None
    assert store.check_password("alice", "battery staple") is not None
    with pytest.raises(NotFound):
        store.set_password("nobody", "battery staple")


def test_ending_sessions_changes_that_accounts_credential_only_and_each_time(store: Store) -> None:
    alice = store.create_account("learner", "alice", "correct horse", None)
    bob = store.create_account("learner", "bob", "correct horse", None)
    store.end_sessions(alice.id)
    after_one = store.find_account(alice.id)
    store.end_sessions(alice.id)
    after_two = store.find_account(alice.id)
    assert after_one is not None and after_two is not None
    assert len({alice.credential, after_one.credential, after_two.credential}) == 3
    assert store.find_account(bob.id) == bob
    assert store.check_password("alice", "correct horse") == after_two  # logging in again takes the new stamp


def test_disabling_an_account_revokes_every_token_of_that_person_and_no_other(store: Store) -> None:
    store.create_account("instructor", "prof", "correct horse", ["ds101"])
    as_instructor, _ = store.create_token("instructor", "prof", ["ds101"])
    as_learner, _ = store.create_token("learner", "prof", None)  # the same person under another role
    machine, _ = store.create_token("platform", "prof", ["ds101"])  # a platform's id is not a person's name
    someone_else, _ = store.create_token("instructor", "other-prof", ["ds101"])
    store.disable_account("prof")
    assert store.find_token(as_instructor) is None and store.find_token(as_learner) is None
    assert store.find_token(machine) is not None and store.find_token(someone_else) is not None


def test_a_disabled_account_gets_no_new_token(store: Store) -> None:
    store.create_account("learner", "alice", "correct horse", None)
    store.disable_account("alice")
    with pytest.raises(Conflict, match="disabled"):
        store.create_token("learner", "alice", None)
    plaintext, _ = store.create_token("platform", "alice", ["ds101"])  # platforms have their own names
    assert store.find_token(plaintext) is not None


def test_production_hashes_at_full_cost_and_a_hash_of_any_cost_still_logs_in(database_url: str) -> None:
    """Tests lower the scrypt cost explicitly (TEST_PASSWORD_HASH); nothing else may."""
    assert Settings().password_hash_method == "scrypt" and Store.password_hash_method == "scrypt"
    full = Store.from_url(database_url)
    full.migrate()
    full.create_account("learner", "alice", "correct horse", None)
    cheap = Store.from_url(database_url, TEST_PASSWORD_HASH)
    cheap.create_account("learner", "bob", "battery staple", None)
    with full.engine.connect() as connection:
        rows = connection.execute(text("SELECT name, password_hash FROM accounts")).all()
    hashes = {name: hashed for name, hashed in rows}
    assert hashes["alice"].startswith("scrypt:32768:8:1$")
    assert hashes["bob"].startswith(f"{TEST_PASSWORD_HASH}$")
    assert cheap.check_password("alice", "correct horse") is not None  # a stored hash names its own cost
    assert full.check_password("bob", "battery staple") is not None
    assert cheap.check_password("alice", "battery staple") is None
    full.dispose()
    cheap.dispose()


@pytest.mark.parametrize("method", ["md5", "pbkdf2:sha256", "scrypt:0:8:1", "scrypt:16", "plain", ""])
def test_a_password_hash_method_other_than_scrypt_is_refused_at_start(method: str) -> None:
    with pytest.raises(BadInput, match="AUTOGRADE_PASSWORD_HASH_METHOD"):
        Settings(password_hash_method=method)


@pytest.mark.parametrize(
    "password", ["no account has this password", "launch-only", "", "a long password", "$", "launch-only:"]
)
def test_an_account_made_by_an_lti_launch_takes_no_password_at_all(store: Store, password: str) -> None:
    """Such a person comes in only by launch. The first guess is what an unknown name is checked
    against (store/accounts.py), so a launch-only account must not be checked as an unknown name."""
    made = store.lti_account("lti:reg:sub-1", "learner", "ds101")
    assert store.check_password("lti:reg:sub-1", password) is None
    assert store.find_account(made.id) is not None  # the account itself is live


def test_launch_only_accounts_keep_credentials_of_their_own(store: Store) -> None:
    """A session is bound to the account's credential, made from its stored password value."""
    first = store.lti_account("lti:reg:sub-1", "learner", "ds101")
    second = store.lti_account("lti:reg:sub-2", "learner", "ds101")
    assert first.credential != second.credential


def test_a_launch_only_account_is_made_without_hashing_a_password(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roster sync makes one account per learner: at production cost each hash of a password
    nobody can use was 50 ms of a worker's CPU, a minute for a course of 1,200."""
    hashed: list[str] = []
    monkeypatch.setattr(
        "werkzeug.security._hash_internal", lambda method, *_: hashed.append(method) or ("", "")
    )
    store.lti_account("lti:reg:sub-1", "learner", "ds101")
    assert hashed == []
