"""Connecting to the database (SQLite by default, PostgreSQL by URL) and migrating it.

SQLite gets foreign keys, WAL (readers never wait for the writer), a busy timeout, and
real transactions: pysqlite's own handling would run DDL outside them and begin writes
late. A write transaction on SQLite starts with ``BEGIN IMMEDIATE`` so that it queues
for the write lock at its start instead of failing when it upgrades from a stale read.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from grader.errors import StorageError
from store.accounts import HASH_METHOD, AccountStore
from store.assignment_changes import AssignmentChangeStore
from store.assignments import AssignmentStore
from store.credentials import IssuedCredentialStore
from store.deliveries import DeliveryStore
from store.exams import ExamStore
from store.integrity import IntegrityStore
from store.ledger import LedgerStore
from store.lti import LtiStore
from store.lti_deep_links import LtiDeepLinkStore
from store.lti_invitations import LtiInvitationStore
from store.lti_roster import LtiRosterStore
from store.platforms import PlatformStore
from store.postings import PostingsStore
from store.programmes import ProgrammeStore
from store.regrade_requests import RegradeRequestStore
from store.regrades import RegradeStore
from store.reports import ReportStore
from store.sessions import IMMEDIATE
from store.stats import StatsStore
from store.submissions import SubmissionStore
from store.tokens import TokenStore

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT = 5  # seconds: a database that is away must fail a request fast (503), not hang it
WAL_ATTEMPTS = 100
MIGRATION_LOCK = 0x6175746F67  # any constant shared by every process that migrates


def migration_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))  # ConfigParser syntax
    return config


@functools.cache
def newest_revisions() -> frozenset[str]:
    """The head revisions of the migrations shipped with this code (fixed for the process)."""
    return frozenset(ScriptDirectory.from_config(migration_config()).get_heads())


def normalise_url(url: str | URL) -> URL:
    """``postgres://`` and bare ``postgresql://`` mean psycopg 3, the driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        # pre-ping: a connection that died with the server is replaced before use, so the
        # first request after an outage succeeds instead of failing on a stale connection
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT})
    if parsed.database and parsed.database != ":memory:":
        private_file(Path(parsed.database))
    engine = create_engine(
        parsed, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    )
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def private_file(path: Path) -> None:
    """Make the SQLite file readable by this user only before SQLite makes it (its journals copy
    the mode): it holds platforms' HMAC secrets, which must stay usable to check signatures."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, in _begin_sqlite
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    _enable_wal(cursor)
    cursor.close()


def _enable_wal(cursor: Any) -> None:
    """WAL is a property of the file, set once; switching ignores the busy timeout, so retry."""
    for _ in range(WAL_ATTEMPTS):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.05)
    cursor.execute("PRAGMA journal_mode = WAL")  # out of patience: let the error surface


def _begin_sqlite(connection: Any) -> None:
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store(
    AccountStore,
    TokenStore,
    AssignmentStore,
    AssignmentChangeStore,
    LedgerStore,
    ReportStore,
    SubmissionStore,
    PlatformStore,
    DeliveryStore,
    LtiStore,
    LtiInvitationStore,
    LtiRosterStore,
    LtiDeepLinkStore,
    ExamStore,
    ProgrammeStore,
    RegradeStore,
    RegradeRequestStore,
    IntegrityStore,
    PostingsStore,
    StatsStore,
    IssuedCredentialStore,
):
    """The record store: one engine, one sessionmaker, and the methods of its parts."""

    def __init__(self, engine: Engine, password_hash_method: str = HASH_METHOD) -> None:
        super().__init__(sessionmaker(engine, expire_on_commit=False))
        self.engine = engine
        self.password_hash_method = password_hash_method

    @classmethod
    def from_url(cls, url: str | URL, password_hash_method: str = HASH_METHOD) -> Store:
        return cls(make_engine(url), password_hash_method)

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration; safe to run from several processes at once.

        A database already at the newest revision is left alone without asking alembic to plan an
        upgrade: planning loads every migration file, which made each process's start (and each
        test's fresh app) pay for all of them.
        """
        config = migration_config()
        try:
            with self.engine.connect() as connection:
                connection = connection.execution_options(**{IMMEDIATE: True})
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        connection.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                        )
                    if set(MigrationContext.configure(connection).get_current_heads()) == newest_revisions():
                        return
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise StorageError(f"could not migrate the database: {exc}") from exc

    def now(self) -> datetime:
        """The database server's time: the one clock every host agrees on (``service/clock.py``).

        SQLite is a file on this machine, so its time is this machine's; PostgreSQL is asked.
        """
        if self.engine.dialect.name != "postgresql":
            return datetime.now(UTC)
        try:
            with self.engine.connect() as connection:
                found = connection.execute(text("SELECT statement_timestamp()")).scalar_one()
        except SQLAlchemyError as exc:
            raise StorageError(f"could not read the database's clock: {exc}") from exc
        return found.astimezone(UTC) if isinstance(found, datetime) else datetime.fromisoformat(str(found))

    def dispose(self) -> None:
        self.engine.dispose()
