"""Alembic's entry point: migrate the connection ``Store.migrate`` hands over, or a URL given on the CLI."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from store.models import Base

target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    from store.db import make_engine  # only for ``alembic -x`` style command-line use

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as own_connection:
        run(own_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run Store.migrate() instead")
run_online()
