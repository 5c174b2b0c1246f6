"""The demo (autograde/demo.py): its environment kept apart from any other run, the course uploaded and
submitted over the real HTTP API, grades waited for, and a score table that fails the run on any
difference from what the course expects; one whole run with a real web, worker and sandbox.

The web app is served over HTTP in a thread on a real SQLite store for the API client. Stopping the
services, a child that ignores SIGTERM included: tests/worker/test_shutdown.py.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from autograde.demo import (
    Api,
    Services,
    check,
    demo_environment,
    print_table,
    read_upload,
    run,
    spawn,
    wait_until_healthy,
)
from service.settings import Settings
from store import Store
from tests.conftest import EXAMPLES, REDIS_URL
from tests.web.conftest import app, clock, enqueuer, migrated_template, settings, store  # noqa: F401  (fixtures)
from tests.web.notebook_builders import learner_bytes, source_bytes
from tests.web.reports import grade

ADMIN_TOKEN = "admin-secret"  # tests/web/conftest.py's settings


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app's address: the real web app over HTTP, as the demo's client meets it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def course_folder(tmp_path: Path) -> Path:
    (tmp_path / "hw1").mkdir()
    (tmp_path / "hw1" / "hw.ipynb").write_bytes(source_bytes())
    (tmp_path / "hw1" / "data").mkdir()
    (tmp_path / "hw1" / "data" / "numbers.csv").write_bytes(b"1,2\n")
    (tmp_path / "alice.ipynb").write_bytes(learner_bytes())
    return tmp_path


def test_a_notebook_is_uploaded_as_it_is_and_a_folder_as_a_zip_of_its_files(tmp_path: Path) -> None:
    course = course_folder(tmp_path)
    assert read_upload(course / "alice.ipynb") == ("alice.ipynb", (course / "alice.ipynb").read_bytes())
    name, payload = read_upload(course / "hw1")
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    source = (course / "hw1" / "hw.ipynb").read_bytes()
    assert name == "hw1.zip" and files == {"data/numbers.csv": b"1,2\n", "hw.ipynb": source}


def test_each_run_has_its_own_data_queues_and_admin_token_and_short_cells(tmp_path: Path) -> None:
    settings = Settings(redis_url="redis://127.0.0.1:6379/3", cell_timeout=30.0)
    first, second = (demo_environment(settings, tmp_path / "demo") for _ in range(2))
    assert first["AUTOGRADE_DATA_DIR"] == str(tmp_path / "demo")
    assert first["AUTOGRADE_DATABASE_URL"] == f"sqlite:///{tmp_path / 'demo' / 'autograde.db'}"
    assert first["AUTOGRADE_REDIS_URL"] == "redis://127.0.0.1:6379/3"
    assert first["AUTOGRADE_QUEUE_PREFIX"].startswith("autograde-demo-")
    assert first["AUTOGRADE_QUEUE_PREFIX"] != second["AUTOGRADE_QUEUE_PREFIX"]  # never another run's jobs
    assert len(first["AUTOGRADE_ADMIN_TOKEN"]) >= 32
    assert first["AUTOGRADE_ADMIN_TOKEN"] != second["AUTOGRADE_ADMIN_TOKEN"]
    assert first["AUTOGRADE_CELL_TIMEOUT"] == "10.0"
    assert demo_environment(Settings(cell_timeout=4.0), tmp_path)["AUTOGRADE_CELL_TIMEOUT"] == "4.0"
    assert first["PATH"] == os.environ["PATH"]  # the rest of the environment is passed on


def test_the_table_passes_only_when_every_submission_is_graded_as_the_course_expects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    specs = [
        {"assignment": "arrays", "learner": "alice", "expect": {"score": 9}},
        {"assignment": "arrays", "learner": "bob", "expect": {"score": 6}},
    ]
    pending = [(specs[0], "s1"), (specs[1], "s2")]
    graded = {"status": "graded", "score": 9.0, "max_score": 9.0}
    assert print_table("intro", pending[:1], {"s1": graded}) == 0
    assert "1 of 1 submissions graded as expected" in capsys.readouterr().out
    assert print_table("intro", pending, {"s1": graded, "s2": {**graded, "score": 5.0}}) == 1
    assert "MISMATCH" in capsys.readouterr().out
    assert print_table("intro", pending, {"s1": graded}) == 1  # s2 never graded in time
    out = capsys.readouterr().out
    assert "timeout" in out and "1 of 2 submissions graded as expected" in out
    failed = {"status": "failed", "score": None, "max_score": None}
    assert print_table("intro", pending[:1], {"s1": failed}) == 1
    unscored = {"assignment": "arrays", "learner": "carol"}  # no expected score: it must still be graded
    assert print_table("intro", [(unscored, "s3")], {"s3": failed}) == 1
    assert print_table("intro", [(unscored, "s3")], {}) == 1


def test_the_api_client_uploads_submits_and_waits_for_the_grade(
    served: str, store: Store, tmp_path: Path
) -> None:
    course = course_folder(tmp_path)
    api = Api(served, ADMIN_TOKEN)
    spec = {"name": "hw1", "source": "hw1", "due": "2030-01-06T23:59:00+00:00", "late_policy": []}
    assignment_id = api.upload_assignment("ds101", spec, course)
    assert store.get_assignment(assignment_id).due_at is not None
    submission_id = api.submit(assignment_id, {"learner": "alice", "file": "alice.ipynb"}, course)
    assert store.get_submission(submission_id).learner == "alice"
    assert api.wait_for_grades([submission_id], timeout=0.2) == {}  # queued: nothing to report yet
    grade(store, submission_id, 2.0)
    found = api.wait_for_grades([submission_id], timeout=10)
    assert found[submission_id]["status"] == "graded" and found[submission_id]["score"] == 2.0


def test_an_answer_the_demo_did_not_expect_stops_it_with_what_the_server_said(
    served: str, tmp_path: Path
) -> None:
    refused = requests.post(f"{served}/api/v1/assignments", timeout=10)  # no token
    with pytest.raises(SystemExit, match=r"POST http://127\.0\.0\.1:\d+/api/v1/assignments -> 401: .*"):
        check(refused, 201)
    check(refused, 401)  # what was expected passes
    with pytest.raises(SystemExit, match="-> 4"):
        Api(served, "not-the-token").upload_assignment(
            "ds101", {"name": "x", "source": "hw1"}, course_folder(tmp_path)
        )


def test_the_demo_waits_for_a_healthy_web_app_and_gives_up_on_one_that_exited(
    served: str, tmp_path: Path
) -> None:
    sleeper = spawn(
        [sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ), tmp_path / "a.log"
    )
    services = Services([sleeper])
    try:
        wait_until_healthy(served, services, timeout=10)
        with pytest.raises(SystemExit, match="did not come up"):
            wait_until_healthy("http://127.0.0.1:1", services, timeout=0.5)
    finally:
        services.stop(timeout=5)
    with pytest.raises(SystemExit, match="exited early"):
        wait_until_healthy(served, services, timeout=10)


def test_a_service_writes_to_its_log_and_stops_when_asked(tmp_path: Path) -> None:
    script = "import time\nprint('serving', flush=True)\ntime.sleep(60)\n"
    log = tmp_path / "service.log"
    process = spawn([sys.executable, "-c", script], dict(os.environ), log)
    assert os.getpgid(process.pid) == process.pid  # a group of its own, which stop() ends whole
    try:
        deadline = 100
        while "serving" not in log.read_text() and deadline:
            deadline -= 1
            threading.Event().wait(0.05)
        assert log.read_text() == "serving\n"
    finally:
        Services([process]).stop(timeout=5)
    assert process.returncode == -15  # ended by the polite SIGTERM, not killed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.docker
@pytest.mark.redis
def test_a_whole_run_grades_its_course_and_passes_when_every_score_is_as_expected(
    tmp_path: Path,
    docker_client: Any,
    redis_conn: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A course of one assignment and one submission: one web, one worker, one cold sandbox."""
    monkeypatch.setenv("AUTOGRADE_WARM_POOL_SIZE", "0")  # the services' environment: no pool started
    source, answer = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb", EXAMPLES / "submissions" / "alice"
    manifest = {
        "course": "demo-test",
        "assignments": [{"name": "arrays", "source": str(source)}],
        "submissions": [
            {
                "assignment": "arrays",
                "learner": "alice",
                "file": str(answer / "arrays.ipynb"),
                "expect": {"score": 9},
            }
        ],
    }
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "course.json").write_text(json.dumps(manifest))
    settings = Settings(data_dir=str(tmp_path), redis_url=REDIS_URL)
    assert run(settings, tmp_path / "course", free_port()) == 0
    assert "1 of 1 submissions graded as expected" in capsys.readouterr().out
