"""Database fixtures: every store test runs on SQLite and on a throwaway PostgreSQL database.

PostgreSQL comes from ``AUTOGRADE_TEST_POSTGRES_URL`` (see ``tests/conftest.py``). One
database ``autograde_test_<random>`` is created per test session and dropped at its end;
each test starts from an empty schema.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from store import AssignmentRecord, Store, SubmissionRecord
from tests.conftest import POSTGRES_URL, TEST_PASSWORD_HASH


def libpq_url(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database for this test session; no server is a failure, never a silent skip."""
    name = f"autograde_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(libpq_url(POSTGRES_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} unavailable ({exc}); deselect with -m 'not postgres'")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield libpq_url(POSTGRES_URL, name)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def empty_postgres_schema(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend, not yet migrated."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_database")
    empty_postgres_schema(url)
    return url


@pytest.fixture
def store(database_url: str, migrated_template: Path) -> Iterator[Store]:
    """A migrated store: SQLite starts as a copy of the migrated template (migrate() then finds
    nothing to do), PostgreSQL is migrated here."""
    if database_url.startswith("sqlite:///"):
        shutil.copyfile(migrated_template, database_url.removeprefix("sqlite:///"))
    opened = Store.from_url(database_url, TEST_PASSWORD_HASH)
    opened.migrate()
    yield opened
    opened.dispose()


RUBRIC = [
    {"notebook": "hw.ipynb", "grade_id": "test_answer", "points": 2.0, "kind": "test"},
    {"notebook": "hw.ipynb", "grade_id": "explain", "points": 1.0, "kind": "manual"},
]


@pytest.fixture
def make_assignment(store: Store) -> Callable[..., AssignmentRecord]:
    """Add an assignment with one notebook; keyword arguments override ``add_assignment``'s."""

    def make(**overrides: Any) -> AssignmentRecord:
        values: dict[str, Any] = {
            "course": "ds101",
            "name": "hw1",
            "sources": {"hw.ipynb": b'{"source": true}'},
            "releases": {"hw.ipynb": b'{"release": true}'},
            "data_files": {},
            "rubric": RUBRIC,
            "rubric_version": "v1",
            "max_score": 3.0,
            "due_at": None,
            "late_policy": [],
            "is_zip": False,
        }
        values.update(overrides)
        return store.add_assignment(**values)

    return make


@pytest.fixture
def assignment(make_assignment: Callable[..., AssignmentRecord]) -> AssignmentRecord:
    return make_assignment()


@pytest.fixture
def make_submission(store: Store, assignment: AssignmentRecord) -> Callable[..., SubmissionRecord]:
    def make(
        learner: str = "alice", received_at: datetime | None = None, content: bytes = b"notebook"
    ) -> SubmissionRecord:
        moment = received_at or datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
        return store.add_submission(assignment.id, learner, "hw.ipynb", content, moment, True, 1.0)

    return make


@pytest.fixture
def submission(make_submission: Callable[..., SubmissionRecord]) -> SubmissionRecord:
    return make_submission()
