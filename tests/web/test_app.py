from __future__ import annotations

import io
import time
from pathlib import Path

from sqlalchemy import inspect
from werkzeug.middleware.proxy_fix import ProxyFix

from service.settings import Settings
from tests.web.notebook_builders import learner_bytes, source_bytes
from tests.web.reused_app import ReusedApp
from web import create_app
from web.app import ENVELOPE_SLACK, configure, routed_app
from web.handles import Handles
from worker.queues import RQEnqueuer

ADMIN = {"Authorization": "Bearer admin-secret"}


def make_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=str(tmp_path / "var"), admin_token="admin-secret", redis_url="redis://127.0.0.1:1/0"
    )


def test_the_app_opens_and_migrates_its_own_store_and_queue(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    handles = app.extensions["autograde"]
    assert isinstance(handles, Handles) and isinstance(handles.enqueuer, RQEnqueuer)
    assert (tmp_path / "var" / "autograde.db").exists()
    assert "submissions" in inspect(handles.store.engine).get_table_names()
    assert app.config["MAX_CONTENT_LENGTH"] == handles.settings.max_upload_bytes + ENVELOPE_SLACK


def test_with_redis_unreachable_a_submission_is_accepted_quickly_and_kept_queued(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    client = app.test_client()
    created = client.post(
        "/api/v1/assignments",
        headers=ADMIN,
        data={"course": "ds101", "name": "hw1", "file": (io.BytesIO(source_bytes()), "hw.ipynb")},
    ).json
    started = time.monotonic()
    response = client.post(
        f"/api/v1/assignments/{created['id']}/submissions",
        headers=ADMIN,
        data={"learner": "alice", "file": (io.BytesIO(learner_bytes()), "hw.ipynb")},
    )
    assert response.status_code == 202
    assert time.monotonic() - started < 10
    store = app.extensions["autograde"].store
    assert [s.status for s in store.unfinished_submissions()] == ["queued"]


def test_configuring_a_routed_app_again_leaves_nothing_of_the_last_configuration(tmp_path: Path) -> None:
    """What tests/web/reused_app.py relies on: each configuration replaces the last one's state."""
    reused = ReusedApp()
    behind = reused.configured(
        make_settings(tmp_path / "a").replace(proxy_hops=1, session_cookie_secure=True)
    )
    behind.config["SOMETHING_A_TEST_SET"] = 1
    first_store = behind.extensions["autograde"].store
    plain = reused.configured(make_settings(tmp_path / "b"))
    assert plain is behind  # the same routed app, configured again
    assert not isinstance(plain.wsgi_app, ProxyFix)
    assert "SOMETHING_A_TEST_SET" not in plain.config and plain.config["SESSION_COOKIE_SECURE"] is False
    assert plain.extensions["autograde"].store is not first_store
    assert (tmp_path / "b" / "var" / "autograde.db").exists()


def test_a_routed_app_is_configured_as_create_app_configures_one(tmp_path: Path) -> None:
    built, configured = (
        create_app(make_settings(tmp_path / "a")),
        configure(routed_app(), make_settings(tmp_path / "b")),
    )
    assert sorted(map(str, built.url_map.iter_rules())) == sorted(map(str, configured.url_map.iter_rules()))
    assert {k: v for k, v in built.config.items() if k != "SECRET_KEY"} == {
        k: v for k, v in configured.config.items() if k != "SECRET_KEY"
    }
