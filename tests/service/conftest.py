"""The use cases are tested on the store's own fixtures (tests/store/conftest.py): SQLite and PostgreSQL.

A module that wants one database only defines its own ``store`` (often ``sqlite_store``), which wins.
"""

from tests.store.conftest import (  # noqa: F401 (fixtures)
    assignment,
    database_url,
    make_assignment,
    make_submission,
    postgres_database,
    store,
)
