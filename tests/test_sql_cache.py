"""The test-only sharing of SQLite compilation (tests/sql_cache.py): one compiled statement, many files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from store import Store
from tests.sql_cache import share_sqlite_compilation


def test_two_stores_share_compiled_sql_and_each_reads_its_own_file(tmp_path: Path) -> None:
    share_sqlite_compilation()
    first, second = (Store.from_url(f"sqlite:///{tmp_path / name}") for name in ("a.db", "b.db"))
    for opened, rows in ((first, 1), (second, 2)):
        opened.migrate()
        for n in range(rows):
            opened.create_token("learner", f"person-{n}", ["ds101"])
    assert first.engine.dialect is second.engine.dialect
    assert first.engine._compiled_cache is second.engine._compiled_cache
    counted = [len(s.list_tokens()) for s in (first, second)]
    with first.engine.connect() as db:
        pragmas = (
            db.execute(text("PRAGMA foreign_keys")).scalar_one(),
            db.execute(text("PRAGMA journal_mode")).scalar_one(),
        )
    assert counted == [1, 2] and pragmas == (1, "wal")  # each its own file, each with its own connect set-up


def test_installing_twice_wraps_once() -> None:
    import store.db

    share_sqlite_compilation()
    installed = store.db.make_engine
    share_sqlite_compilation()
    assert store.db.make_engine is installed and getattr(installed, "shares", False)
