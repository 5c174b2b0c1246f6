from __future__ import annotations

import io
import time
from pathlib import Path

from sqlalchemy import inspect

from service.settings import Settings
from tests.web.notebook_builders import learner_bytes, source_bytes
from web import create_app
from web.app import ENVELOPE_SLACK
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
