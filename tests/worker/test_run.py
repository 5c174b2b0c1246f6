"""A grading worker refuses to start on a sandbox image built from another environment.

The attack: a host builds its sandbox image with the project's own build script, from a
changed agent, under another tag, and a worker is pointed at it. Image ids cannot tell
(two hosts building the same sources get different ids); the environment label can.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandboxes.environment import HERE, LABEL, environment_digest
from store.db import Store
from tests.conftest import REDIS_URL, ROOT, SANDBOX_IMAGE

pytestmark = [pytest.mark.docker, pytest.mark.redis]
EXIT_FAULT = 3  # autograde.cli: an infrastructure fault


@pytest.fixture(scope="module")
def changed_image(docker_client: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(tag, its environment digest): built by scripts/build-sandbox-image.sh from sources with one agent change."""
    copy = tmp_path_factory.mktemp("changed-checkout")
    shutil.copytree(HERE, copy / "sandboxes", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "build-sandbox-image.sh", copy / "scripts")
    agent = copy / "sandboxes" / "agent" / "sandbox_agent.py"
    agent.write_text(agent.read_text() + "\nPATCHED_ON_THIS_HOST = True\n")
    tag = f"autograde-sandbox-test:changed-{secrets.token_hex(4)}"
    env = {**os.environ, "AUTOGRADE_SANDBOX_IMAGE": tag, "PYTHON": sys.executable}
    subprocess.run(["bash", str(copy / "scripts" / "build-sandbox-image.sh")], env=env, check=True)
    try:
        yield tag, environment_digest(copy / "sandboxes")
    finally:
        docker_client.images.remove(tag, force=True)


def worker_command(tmp_path: Path, image: str, *args: str, **settings: str) -> dict[str, Any]:
    """``autograde worker ARGS`` from this checkout, on ``image``, with its own data dir and the test Redis."""
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("AUTOGRADE_")},
        "AUTOGRADE_DATA_DIR": str(tmp_path),
        "AUTOGRADE_REDIS_URL": REDIS_URL,
        "AUTOGRADE_SANDBOX_IMAGE": image,
        "AUTOGRADE_WARM_POOL_SIZE": "0",
        **settings,
    }
    argv = [sys.executable, "-m", "autograde", "worker", *args]
    return {"args": argv, "cwd": ROOT, "env": env, "text": True}


def start_worker(tmp_path: Path, image: str, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """A worker that should refuse: it exits at once."""
    command = worker_command(tmp_path, image, "--burst", *args, **settings)
    return subprocess.run(**command, capture_output=True, timeout=120)


def registers(
    tmp_path: Path, redis_conn: Any, image: str, *args: str, migrated: bool = True, **settings: str
) -> bool:
    """Whether a worker gets as far as registering with RQ (past every start-up check); stopped then.

    ``migrated``: the database was migrated first, as ``autograde serve`` does when it starts first."""
    if migrated:
        Store.from_url(f"sqlite:///{tmp_path / 'autograde.db'}").migrate()
    command = worker_command(tmp_path, image, *args, **settings)
    process = subprocess.Popen(**command, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if redis_conn.smembers("rq:workers"):
                return True
            time.sleep(0.2)
        return False
    finally:  # the whole group: its RQ scheduler is a child process
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)


def test_the_build_script_labels_the_image_with_its_sources_digest(
    docker_client: Any, changed_image: tuple[str, str]
) -> None:
    tag, digest = changed_image
    assert docker_client.images.get(tag).labels[LABEL] == digest != environment_digest()


def test_a_worker_pointed_at_an_image_from_changed_sources_refuses_to_start(
    tmp_path: Path, redis_conn: Any, changed_image: tuple[str, str]
) -> None:
    tag, digest = changed_image
    started = start_worker(tmp_path, tag)
    assert started.returncode == EXIT_FAULT, started.stderr
    assert f"the sandbox image {tag}" in started.stderr and digest in started.stderr
    assert environment_digest() in started.stderr and "scripts/build-sandbox-image.sh" in started.stderr
    assert not redis_conn.keys("rq:worker:*"), "a refused worker registered"


def test_a_worker_pinned_to_another_image_id_refuses_to_start(tmp_path: Path, redis_conn: Any) -> None:
    started = start_worker(tmp_path, SANDBOX_IMAGE, AUTOGRADE_SANDBOX_IMAGE_ID="sha256:" + "1" * 64)
    assert started.returncode == EXIT_FAULT and "not the pinned AUTOGRADE_SANDBOX_IMAGE_ID" in started.stderr


def test_a_worker_on_this_checkout_s_image_starts_and_a_delivery_worker_needs_none(
    tmp_path: Path, redis_conn: Any, docker_client: Any
) -> None:
    pinned = docker_client.images.get(SANDBOX_IMAGE).id
    assert registers(tmp_path, redis_conn, SANDBOX_IMAGE, AUTOGRADE_SANDBOX_IMAGE_ID=pinned)
    redis_conn.flushdb()
    assert registers(tmp_path, redis_conn, "autograde-sandbox-test:never-built", "--queues", "callbacks")


def test_a_worker_started_before_anyone_migrated_the_database_migrates_it_and_starts(
    tmp_path: Path, redis_conn: Any, docker_client: Any
) -> None:
    """The demo and compose start web and worker together: the worker met "no such table" and exited."""
    assert registers(tmp_path, redis_conn, SANDBOX_IMAGE, migrated=False)
    store = Store.from_url(f"sqlite:///{tmp_path / 'autograde.db'}")
    assert store.list_submissions() == []  # the schema is there
