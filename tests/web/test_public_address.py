"""Share links, cookies and HSTS follow the configured public address, never the request's Host header."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from web import create_app


def app_with(tmp_path: Path, **settings: str) -> FlaskClient:
    config = Settings(
        data_dir=str(tmp_path / "data"), admin_token="admin", redis_url="redis://127.0.0.1:1/0", **settings
    )
    return create_app(config).test_client()


def test_https_public_address_makes_pages_send_hsts(tmp_path: Path) -> None:
    client = app_with(tmp_path, public_url="https://grades.example.edu")
    assert client.get("/healthz").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_without_https_no_hsts_is_sent(tmp_path: Path) -> None:
    assert "Strict-Transport-Security" not in app_with(tmp_path).get("/healthz").headers


def test_https_public_address_makes_the_session_cookie_secure(tmp_path: Path) -> None:
    assert Settings(public_url="https://grades.example.edu").https
    assert not Settings(public_url="http://localhost:8000").https
    client = app_with(tmp_path, public_url="https://grades.example.edu")
    assert client.application.config["SESSION_COOKIE_SECURE"] is True


def test_the_sqlite_file_is_readable_by_the_service_alone(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'private' / 'autograde.db'}")
    store.migrate()
    store.dispose()
    mode = stat.S_IMODE(os.stat(tmp_path / "private" / "autograde.db").st_mode)
    assert mode & 0o077 == 0, oct(mode)
    assert stat.S_IMODE(os.stat(tmp_path / "private").st_mode) & 0o077 == 0
