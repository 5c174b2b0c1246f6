from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from grader.errors import StorageError
from store import Store
from store.db import normalise_url


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'store.db'}")
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    assert (tmp_path / "nested" / "dir").is_dir()
    store.dispose()


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_postgres_urls_use_psycopg_3(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


def test_an_unreachable_database_is_a_storage_error() -> None:
    store = Store.from_url("postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2")
    with pytest.raises(StorageError):
        store.find_token("anything")
    with pytest.raises(StorageError):
        store.migrate()


def test_an_unmigrated_database_is_a_storage_error(database_url: str) -> None:
    store = Store.from_url(database_url)
    with pytest.raises(StorageError) as caught:
        store.get_submission("0" * 32)
    assert caught.value.__cause__ is not None
    store.dispose()


def test_a_naive_datetime_is_read_as_utc(store: Store, assignment) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    record = store.add_submission(
        assignment.id, "alice", "hw.ipynb", b"x", datetime(2030, 3, 1, 12), True, 1.0
    )
    assert store.get_submission(record.id).received_at == datetime(2030, 3, 1, 12, tzinfo=UTC)
