"""Compile each SQL statement once per test process, not once per test's SQLite engine.

Each test opens a store of its own, on its own SQLite file, and SQLAlchemy keeps compiled
statements per engine, under a key that holds the engine's dialect: so every test compiled every
statement it ran afresh, about a fifth of the web, store and service tests' time.
``share_sqlite_compilation()`` wraps ``store.db.make_engine`` so that every SQLite engine made
after the first takes the first one's dialect and compiled-statement cache. The engines stay
apart (each its own file, pool and connect-time PRAGMAs); what they share is the SQL they write,
which is the same for all of them: one driver, one SQLite, one set of engine arguments.
PostgreSQL engines are left alone. Tests only: the service opens one engine per process.

It leans on three SQLAlchemy attributes (``Engine.dialect``, ``Engine._compiled_cache``, the pool's
``_dialect``); ``share`` refuses loudly if a newer SQLAlchemy no longer has them, and
tests/test_sql_cache.py checks that two stores still each read their own file.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

import store.db

_first: dict[str, Engine] = {}


def share(engine: Engine) -> Engine:
    """``engine``, compiling through the first SQLite engine's dialect and cache."""
    if engine.dialect.name != "sqlite":
        return engine
    first = _first.setdefault("sqlite", engine)
    if first is not engine:
        for owner, name in ((engine, "dialect"), (engine, "_compiled_cache"), (engine.pool, "_dialect")):
            if not hasattr(owner, name):
                raise RuntimeError(
                    f"SQLAlchemy has no {type(owner).__name__}.{name} any more: see {__name__}"
                )
        engine.dialect = first.dialect
        engine.pool._dialect = first.dialect
        engine._compiled_cache = first._compiled_cache
    return engine


def share_sqlite_compilation() -> None:
    """Install the wrapper once; a second call changes nothing."""
    make: Any = store.db.make_engine
    if getattr(make, "shares", False):
        return

    def shared(url: Any) -> Engine:
        return share(make(url))

    shared.shares = True  # type: ignore[attr-defined]
    store.db.make_engine = shared  # type: ignore[assignment]
