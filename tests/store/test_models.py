"""The ORM tables (store/models.py), on SQLite and PostgreSQL: what the migrations check does not see.

``tests/store/test_migrations.py`` compares the migrated schema with the models by Alembic's
autogenerate (tables, columns, types, nullability, indexes, unique and foreign keys). It
ignores check constraints, partial indexes' conditions and server defaults: a state added to a
vocabulary without its migration would pass it and be refused by the database in production. Those are compared here, and so is the one type of our own,
``UTCDateTime``, whose promise is an aware UTC time back from either database.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import CheckConstraint, Index, Table, insert, inspect, select, text
from sqlalchemy.dialects.postgresql import dialect as postgresql_dialect
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.exc import StatementError

from grader.errors import CorruptData
from store import Store
from store.models import Base, GradeReportRow, TokenRow, UTCDateTime
from tests.conftest import TABLES

MODELS = Base.metadata.tables


def meaning(sql: Any) -> tuple[str, ...]:
    """A condition as both databases' catalogues give it back: its column and its quoted values
    (PostgreSQL rewrites ``status IN ('a')`` as ``status::text = ANY (ARRAY['a'::character varying])``),
    or, without values, its text less spaces and brackets (``tokens >= 0``)."""
    sql = str(sql)
    values = re.findall(r"'([^']*)'", sql)
    if values:
        column = re.match(r"\W*(\w+)", sql)
        assert column is not None
        return (column.group(1), *sorted(values))
    return (re.sub(r"[\s()]", "", sql),)


def model_checks(table: Table) -> dict[str, tuple[str, ...]]:
    return {str(c.name): meaning(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)}


def partial_indexes(table: Table) -> dict[str, tuple[str, ...]]:
    return {
        str(index.name): meaning(where)
        for index in table.indexes
        if isinstance(index, Index)
        for where in [index.dialect_options["postgresql"].get("where")]
        if where is not None
    }


def test_every_table_of_the_models_is_in_the_tests_table_list() -> None:
    """``TABLES`` (tests/conftest.py) is what row_counts and the migration tests walk: a table left out
    of it is one whose refused writes nobody would see."""
    assert sorted(MODELS) == sorted(TABLES)


def test_the_migrated_check_constraints_are_the_models_with_the_same_values(store: Store) -> None:
    catalogue = inspect(store.engine)
    migrated = {
        name: {str(c["name"]): meaning(c["sqltext"]) for c in catalogue.get_check_constraints(name)}
        for name in MODELS
    }
    expected = {name: model_checks(table) for name, table in MODELS.items()}
    assert migrated == expected
    assert migrated["submissions"]["ck_submissions_status"] == (
        "status",
        "failed",
        "graded",
        "queued",
        "running",
    )


def test_the_migrated_partial_indexes_keep_their_conditions(store: Store) -> None:
    dialect = store.engine.dialect.name
    catalogue = inspect(store.engine)
    for name, table in MODELS.items():
        expected = partial_indexes(table)
        migrated = {
            str(index["name"]): meaning(index["dialect_options"][f"{dialect}_where"])
            for index in catalogue.get_indexes(name)
            if f"{dialect}_where" in index.get("dialect_options", {})
        }
        assert migrated == expected, name
    assert partial_indexes(MODELS["deadline_ledger"]) == {
        "uq_deadline_ledger_late_days": ("kind", "late_days")
    }


def test_the_migrated_server_defaults_are_the_models(store: Store) -> None:
    """Rows that existed before a column was added get its server default: the model's must be the one migrated."""
    catalogue = inspect(store.engine)
    for name, table in MODELS.items():
        expected = {c.name: str(c.server_default.arg) for c in table.columns if c.server_default is not None}  # type: ignore[attr-defined]
        migrated = {
            str(c["name"]): str(c["default"]).strip("'")
            for c in catalogue.get_columns(name)
            if c["default"] is not None and c["name"] in expected
        }
        assert migrated == expected, name
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO accounts (name, role, password_hash, created_at) "
                "VALUES ('old', 'learner', 'x', :at)"
            ),
            {"at": datetime(2030, 1, 1)},
        )
        assert connection.scalar(text("SELECT session_epoch FROM accounts WHERE name = 'old'")) == 0


def token_row(created_at: datetime) -> dict[str, Any]:
    return {
        "name": "alice",
        "role": "learner",
        "token_hash": "h" * 64,
        "courses": None,
        "created_at": created_at,
    }


def test_a_time_comes_back_aware_in_utc_whatever_zone_it_went_in_with(store: Store) -> None:
    paris = datetime(2030, 3, 1, 13, 30, tzinfo=timezone(timedelta(hours=1)))
    with store.engine.begin() as connection:
        connection.execute(insert(TokenRow).values(token_row(paris)))
        stored = connection.scalar(select(TokenRow.created_at))
    assert stored == paris and stored.tzinfo is UTC and stored.hour == 12


def test_a_naive_time_is_refused_and_nothing_is_stored(store: Store) -> None:
    with pytest.raises(StatementError, match="naive datetime"), store.engine.begin() as connection:
        connection.execute(insert(TokenRow).values(token_row(datetime(2030, 3, 1, 12, 0))))
    with store.engine.connect() as connection:
        assert connection.scalar(select(TokenRow.id)) is None


def test_utc_datetime_reads_a_zone_less_value_as_utc_and_keeps_none() -> None:
    column = UTCDateTime()
    sqlite, postgres = sqlite_dialect(), postgresql_dialect()
    assert column.process_result_value(datetime(2030, 3, 1, 12), sqlite) == datetime(
        2030, 3, 1, 12, tzinfo=UTC
    )
    assert (
        column.process_bind_param(None, postgres) is None
        and column.process_result_value(None, sqlite) is None
    )
    noon = datetime(2030, 3, 1, 12, tzinfo=UTC)
    assert column.process_bind_param(noon, sqlite) == datetime(2030, 3, 1, 12)  # SQLite keeps no zone
    assert column.process_bind_param(noon, postgres) == noon


def test_a_stored_report_is_read_typed_and_a_broken_one_is_named_by_its_row() -> None:
    broken = GradeReportRow(id=41, report={"score": "high"}, feedback_html="", provenance={})
    with pytest.raises(CorruptData, match="grade report 41"):
        broken.read_report()
