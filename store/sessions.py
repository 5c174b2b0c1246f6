"""The unit of work every store method runs in, and the one place database errors are translated.

Callers above the store see only ``grader.errors``: a refused or unreachable database is a
``StorageError`` (an infrastructure fault: retried, never scored), a violated unique or
foreign key constraint is a ``Conflict``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from grader.errors import Conflict, StorageError

IMMEDIATE = "autograde_sqlite_immediate"  # execution option read by store.db when SQLite begins


class SessionScope:
    """Base of the store's parts: holds the sessionmaker and opens transactions."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Session]:
        """Commit on success, roll back on any exception, translating database errors.

        ``write=True`` for a transaction that reads before it writes: on SQLite it takes the
        write lock up front, so a concurrent writer makes it wait rather than fail.
        """
        try:
            with self.sessions.begin() as session:
                if write:
                    session.connection(execution_options={IMMEDIATE: True})
                yield session
        except IntegrityError as exc:
            raise Conflict(f"the change conflicts with stored data: {_first_line(exc)}") from exc
        except SQLAlchemyError as exc:
            raise StorageError(f"the database failed: {_first_line(exc)}") from exc


def _first_line(exc: SQLAlchemyError) -> str:
    """Driver messages run to several lines with SQL and parameters; the first says what happened."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
