"""The unit of work: database errors leave the store only as ``Conflict`` or ``StorageError``, and nothing half-done stays."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from grader.errors import Conflict, StorageError
from store import Store
from store.sessions import SessionScope


def test_a_violated_constraint_is_a_conflict_with_the_drivers_first_line(store: Store) -> None:
    store.create_platform("lms", "LMS", None, [])
    scope = SessionScope(store.sessions)
    with pytest.raises(Conflict) as raised, scope.transaction() as session:
        session.execute(
            text(
                "INSERT INTO platforms (id, name, secret, courses, created_at) SELECT id, name, secret, courses, created_at FROM platforms"
            )
        )
    assert "\n" not in str(raised.value) and "conflicts with stored data" in str(raised.value)


def test_any_other_database_error_is_a_storage_error_never_a_library_exception(store: Store) -> None:
    with (
        pytest.raises(StorageError, match="the database failed"),
        SessionScope(store.sessions).transaction() as session,
    ):
        session.execute(text("SELECT * FROM no_such_table"))


def test_an_exception_rolls_back_everything_the_transaction_wrote(store: Store) -> None:
    scope = SessionScope(store.sessions)
    with pytest.raises(RuntimeError), scope.transaction(write=True) as session:
        session.execute(
            text(
                "INSERT INTO platforms (id, name, secret, courses, created_at) VALUES ('x', 'X', 's', '[]', '2030-01-01')"
            )
        )
        raise RuntimeError("the caller failed after writing")
    assert store.find_platform("x") is None


def test_an_unreachable_database_is_a_storage_error() -> None:
    store = Store.from_url("postgresql+psycopg://nobody@127.0.0.1:1/none")  # nothing listens on port 1
    with pytest.raises(StorageError, match="the database failed"):
        store.list_platforms()
    store.dispose()
