"""Fixtures for end-to-end tests: a real HTTP server, a real worker process, real services."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from service.settings import Settings
from tests.conftest import REDIS_URL, SANDBOX_IMAGE


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'autograde.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_conn: Any) -> Settings:
    return Settings(
        data_dir=str(tmp_path),
        database_url=database_url,
        redis_url=REDIS_URL,
        admin_token=secrets.token_urlsafe(16),
        queue_prefix=f"e2e-{secrets.token_hex(3)}",
        sandbox_image=SANDBOX_IMAGE,
        cell_timeout=3,
    )


@pytest.fixture
def server(settings: Settings) -> Iterator[str]:
    from web.app import create_app

    httpd = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
