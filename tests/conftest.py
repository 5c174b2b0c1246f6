"""Shared fixtures: real services are found or the test fails loudly (never a silent skip).

A developer without Docker can deselect with ``-m "not docker"``; CI runs everything.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:
    from store import Store
    from tests.web.reused_app import ReusedApp

from tests.properties import QUICK, QUICK_DEFAULT
from tests.route_builders import remember_route_builders

remember_route_builders()  # every app a test builds reuses the URL builders compiled for the first
hypothesis_settings.register_profile("quick", max_examples=QUICK_DEFAULT)
if QUICK:  # scripts/check: every property, on fewer cases (tests/properties.py)
    hypothesis_settings.load_profile("quick")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "course"


# Every test in these folders needs a service: scripts/check does not even import them (their
# imports, schemathesis and playwright among them, were a third of each check worker's collection).
# Collection refuses an unmarked test there, so the fast loop can never silently leave one out.
SERVICE_ONLY_FOLDERS = ("e2e", "security")
SERVICE_MARKERS = frozenset({"docker", "browser", "gvisor", "redis", "postgres"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    folders = [ROOT / "tests" / folder for folder in SERVICE_ONLY_FOLDERS]
    unmarked = [
        item.nodeid
        for item in items
        if any(item.path.is_relative_to(folder) for folder in folders)
        and not SERVICE_MARKERS & {mark.name for mark in item.iter_markers()}
    ]
    if unmarked:
        raise pytest.UsageError(
            f"tests in tests/{{{','.join(SERVICE_ONLY_FOLDERS)}}} must carry one of {sorted(SERVICE_MARKERS)} "
            f"(scripts/check skips those folders): {unmarked[:5]}"
        )


def redis_url_of_this_process(base: str) -> str:
    """The base URL's database, moved by the pytest-xdist worker's number (gw1 takes the next one).

    Tests flush their database; two xdist workers flushing one database wiped each other's
    rate-limit counters mid-test.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    address, _, db = base.rpartition("/")
    return f"{address}/{(int(db or 0) + int(worker.removeprefix('gw'))) % 16}"


REDIS_URL = redis_url_of_this_process(os.environ.get("AUTOGRADE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13"))
POSTGRES_URL = os.environ.get(
    "AUTOGRADE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Test accounts hash passwords at 1/256 of scrypt's default cost (explicitly, through the setting):
# at full cost one hash per test account was most of the web tests' time, and at 1/32 still 1.7 ms
# a hash, 650 of them in the web tests (128 is the least OpenSSL's memory bound lets werkzeug ask).
# What the tests check is who gets in, not the cost; the cost itself is checked in
# tests/store/test_accounts.py. Production keeps "scrypt".
TEST_PASSWORD_HASH = "scrypt:128:8:1"
SANDBOX_IMAGE = os.environ.get("AUTOGRADE_SANDBOX_IMAGE", "autograde-sandbox:latest")
TABLES = (
    "tokens",
    "assignments",
    "assignment_files",
    "submissions",
    "grade_reports",
    "platforms",
    "deliveries",
    "exams",
    "exam_files",
    "accommodations",
    "exam_attempts",
    "attempt_answers",
    "attempt_events",
    "proctoring_reviews",
    "programmes",
    "programme_courses",
    "record_events",
    "share_links",
    "share_accesses",
    "regrade_runs",
    "regrade_results",
    "accounts",
    "assignment_changes",
    "issued_credentials",
    "deadline_ledger",
    "regrade_policies",
    "regrade_requests",
    "integrity_prints",
    "integrity_postings",
    "integrity_pairs",
    "integrity_events",
    "lti_registrations",
    "lti_deployments",
    "lti_logins",
    "lti_line_items",
    "lti_exam_line_items",
    "lti_contexts",
    "lti_deep_links",
    "lti_invitations",
)


@pytest.fixture(scope="session")
def docker_client():  # type: ignore[no-untyped-def]
    import docker

    try:
        client = docker.from_env(timeout=120)
        client.ping()
        client.images.get(SANDBOX_IMAGE)
    except Exception as exc:  # any failure here means the suite cannot test what it claims
        pytest.fail(
            f"Docker engine or sandbox image {SANDBOX_IMAGE} unavailable ({exc}); run scripts/test.sh"
        )
    return client


@pytest.fixture
def redis_conn():  # type: ignore[no-untyped-def]
    """A real Redis database, flushed before and after each test (as rq's own suite does)."""
    import redis

    conn = redis.Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} unavailable: {exc}")
    conn.flushdb()
    yield conn
    conn.flushdb()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    admin = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"autograde_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.fail(f"PostgreSQL at {admin} unavailable: {exc}")
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database migrated to head, copied for every test that wants a migrated one:
    migrating per test was 80% of the web tests' time. Whoever opens the copy may still run its
    migration step, which finds nothing to do."""
    from store import Store
    from tests.sql_cache import share_sqlite_compilation

    share_sqlite_compilation()  # every test that opens a copy compiles its SQL once per process
    folder = tmp_path_factory.mktemp("template")
    store = Store.from_url(f"sqlite:///{folder / 'autograde.db'}")
    store.migrate()
    store.dispose()
    return folder / "autograde.db"


@pytest.fixture
def sqlite_store(tmp_path: Path, migrated_template: Path) -> Iterator[Store]:
    """A store of its own for one test, on a copy of the migrated template (SQLite only)."""
    from store import Store

    shutil.copyfile(migrated_template, tmp_path / "store.db")
    opened = Store.from_url(f"sqlite:///{tmp_path / 'store.db'}", TEST_PASSWORD_HASH)
    yield opened
    opened.dispose()


@pytest.fixture
def row_counts(store):  # type: ignore[no-untyped-def]
    """Call to get ``{table: rows}``: how tests prove that refused input stored nothing.

    ``store`` is whichever store fixture the test sees (tests/store, tests/web, or its module's own).
    """
    from sqlalchemy import text

    # One statement for every table: a query per table was a third of a refusal test's time.
    every_count = text("SELECT " + ", ".join(f"(SELECT count(*) FROM {table})" for table in TABLES))

    def count() -> dict[str, int]:
        with store.engine.connect() as connection:
            return dict(zip(TABLES, connection.execute(every_count).one(), strict=True))

    return count


@pytest.fixture(scope="session")
def reused_app() -> ReusedApp:
    """The test process's one routed web app (tests/web/reused_app.py), for every ``app`` fixture
    borrowed from tests/web/conftest.py wherever it is imported."""
    from tests.web.reused_app import ReusedApp  # here, not above: most tests never load the web app

    return ReusedApp()
