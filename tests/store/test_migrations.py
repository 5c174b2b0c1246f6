from __future__ import annotations

import threading
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect

from store import Store
from store.db import MIGRATIONS
from store.models import AccountRow, Base, IntegrityPrintRow, TokenRow
from tests.conftest import TABLES as EVERY_TABLE

TABLES = set(EVERY_TABLE)


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


def test_tokens_of_accounts_disabled_before_the_upgrade_are_revoked_by_it(database_url: str) -> None:
    """Disabling used to leave a person's tokens working; migration 0010 revokes those already out there."""
    store = Store.from_url(database_url)
    with store.engine.begin() as connection:
        command.upgrade(alembic_config(store, connection), "0009")
    before = datetime(2020, 1, 1, tzinfo=UTC)
    with store.engine.begin() as connection:
        for name, disabled in (("gone", before), ("here", None)):
            connection.execute(
                insert(AccountRow.__table__).values(
                    name=name,
                    role="learner",
                    password_hash="x",
                    courses=None,
                    created_at=before,
                    disabled_at=disabled,
                )
            )
        for name, role in (
            ("gone", "learner"),
            ("gone", "instructor"),
            ("gone", "platform"),
            ("here", "learner"),
        ):
            connection.execute(
                insert(TokenRow.__table__).values(
                    name=name, role=role, token_hash=f"{name}-{role}", courses=None, created_at=before
                )
            )
    store.migrate()
    revoked = {(t.name, t.role): t.revoked_at is not None for t in store.list_tokens()}
    assert revoked == {
        ("gone", "learner"): True,
        ("gone", "instructor"): True,
        ("gone", "platform"): False,
        ("here", "learner"): False,
    }
    assert all(t.revoked_at is None or t.revoked_at > before for t in store.list_tokens())
    store.dispose()


def test_prints_stored_before_postings_are_posted_by_the_upgrade_each_learner_once(database_url: str) -> None:
    """Migration 0019 posts each learner's latest print per pool, so checks after it still see them."""
    store = Store.from_url(database_url)
    with store.engine.begin() as connection:
        command.upgrade(alembic_config(store, connection), "0018")
    record = store.add_assignment(
        "ds101", "hw1", {"hw.ipynb": b"{}"}, {"hw.ipynb": b"{}"}, {}, [], "v1", 1.0, None, [], False
    )
    at = datetime(2026, 12, 1, tzinfo=UTC)
    stored = []
    for learner, minute, digests in (("ann", 1, [7, 8]), ("ann", 2, [8, 9]), ("bo", 3, [9])):
        sid = store.add_submission(record.id, learner, "hw.ipynb", b"nb", at, True, 1.0).id
        prints = {"hw.ipynb::q": {"kind": "code", "text": "", "prints": [[d, 1, 1] for d in digests]}}
        stored.append(
            dict(
                submission_id=sid,
                pool="p",
                course="ds101",
                learner=learner,
                received_at=at.replace(minute=minute),
                prints=prints,
                indexed_at=at,
            )
        )
    with store.engine.begin() as connection:
        connection.execute(insert(IntegrityPrintRow.__table__), stored)
    store.migrate()
    holders = store.holders("p", {"hw.ipynb::q": [7, 8, 9]})
    later, bo = stored[1]["submission_id"], stored[2]["submission_id"]
    assert holders == {("hw.ipynb::q", 8): [later], ("hw.ipynb::q", 9): sorted([later, bo])}
    assert store.pool_size("p") == 2
    store.dispose()
