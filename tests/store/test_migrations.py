from __future__ import annotations

import threading

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from store import Store
from store.db import MIGRATIONS
from store.models import Base

TABLES = {"tokens", "assignments", "assignment_files", "submissions", "grade_reports", "platforms", "deliveries",
          "exams", "exam_files", "accommodations", "exam_attempts", "attempt_answers", "attempt_events",
          "proctoring_reviews", "programmes", "programme_courses", "record_events", "share_links", "share_accesses", "regrade_runs", "regrade_results",
          "accounts", "assignment_changes"}


def table_names(store: Store) -> set[str]:
    return set(inspect(store.engine).get_table_names())


def alembic_config(store: Store, connection) -> Config:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_migrate_creates_every_table(store: Store) -> None:
    assert table_names(store) == TABLES | {"alembic_version"}


def test_migrating_an_up_to_date_database_changes_nothing(store: Store) -> None:
    store.create_token("learner", "alice", None)
    store.migrate()
    assert table_names(store) == TABLES | {"alembic_version"}
    assert len(store.list_submissions()) == 0


def test_the_hand_written_migration_matches_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_drops_everything_and_upgrade_restores_it(store: Store) -> None:
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(store, connection), "base")
    assert table_names(store) <= {"alembic_version"}
    store.migrate()
    assert table_names(store) == TABLES | {"alembic_version"}


def test_processes_starting_together_can_all_migrate(database_url: str) -> None:
    stores = [Store.from_url(database_url) for _ in range(3)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def migrate(store: Store) -> None:
        barrier.wait()
        try:
            store.migrate()
        except BaseException as exc:  # collected and asserted below: a thread cannot fail the test
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert table_names(stores[0]) == TABLES | {"alembic_version"}
    for store in stores:
        store.dispose()
