"""docker-compose.yml itself, run: its image builds with no network, its web and worker start and get ready.

``test_compose.py`` checks the file against the code without Docker; this one hands the real
file to ``docker-compose`` (v1, Debian's; ``scripts/setup.sh`` installs it). The machines CI
runs on reach no registry, so ``deploy/compose/ci.yml`` builds the image from the local
base and host-downloaded wheels and points web and worker at the host's Redis and
PostgreSQL over the host's network; redis, postgres and nginx are not started. Whatever
happens, the project's containers, networks and volumes are removed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import REDIS_URL, ROOT, SANDBOX_IMAGE
from tests.e2e.faults import wait_until
from worker.liveness import live_workers

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]
FILES = ["-f", "docker-compose.yml", "-f", "deploy/compose/ci.yml"]
REQUIRED = {"AUTOGRADE_DEPLOYMENT_ID": "compose-ci", "AUTOGRADE_ADMIN_TOKEN": "compose-ci-admin"}
BASES = (
    "python:3.11-slim",
    "autograde-base:bookworm",
)  # the official one where it exists, as the sandbox build
READY_TIMEOUT = 120.0
RQ_REGISTRATION_TIMEOUT = 30.0


def docker_compose(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("docker-compose")
    assert executable, "docker-compose is missing: scripts/setup.sh installs it"
    return subprocess.run(
        [executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}: {result.stderr[-3000:]}"
    return result.stdout


def base_image(docker_client: Any) -> str:
    for name in BASES:
        try:
            docker_client.images.get(name)
            return name
        except Exception:
            continue
    pytest.fail(f"none of the base images {BASES} exists: scripts/setup.sh builds one")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_real_compose_file_is_valid_and_asks_for_what_an_operator_must_set() -> None:
    plain = {name: value for name, value in os.environ.items() if name not in REQUIRED}
    services = ok(docker_compose({**plain, **REQUIRED}, "-f", "docker-compose.yml", "config", "--services"))
    assert set(services.split()) >= {"web", "worker", "exam-worker", "delivery-worker", "balancer"}
    for name in REQUIRED:
        missing = docker_compose({**plain, **REQUIRED, name: ""}, "-f", "docker-compose.yml", "config", "-q")
        assert missing.returncode != 0 and name in missing.stderr, missing.stderr


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    """The two shared keys in the test's own directory (never the checkout's ./secrets)."""
    folder = tmp_path / "secrets"
    folder.mkdir(mode=0o700)
    (folder / "session-secret").write_text(secrets.token_urlsafe(48))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "autograde",
            "records",
            "keygen",
            "--out",
            str(folder / "records-signing-key.pem"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "AUTOGRADE_DATA_DIR": str(tmp_path / "data")},
    )
    return folder


@pytest.fixture
def project(
    keys: Path, postgres_url: str, redis_conn: Any, docker_client: Any
) -> Iterator[tuple[dict[str, str], int]]:
    """The environment of one compose project (unique name) and its web port; torn down whatever happens."""
    port = free_port()
    env = {
        **os.environ,
        **REQUIRED,
        "COMPOSE_PROJECT_NAME": f"autograde-ci-{secrets.token_hex(4)}",
        "AUTOGRADE_BASE_IMAGE": base_image(docker_client),
        "AUTOGRADE_CI_DATABASE_URL": postgres_url,
        "AUTOGRADE_CI_REDIS_URL": REDIS_URL,
        "AUTOGRADE_CI_WEB_PORT": str(port),
        "AUTOGRADE_CI_SECRETS": str(keys),
        "AUTOGRADE_SANDBOX_IMAGE": SANDBOX_IMAGE,
    }
    try:
        yield env, port
    finally:
        logs = docker_compose(env, *FILES, "logs", "--no-color", "--tail", "40", "web", "worker", timeout=60)
        sys.stderr.write(logs.stdout[-6000:])  # shown by pytest when the test failed
        ok(
            docker_compose(
                env, *FILES, "down", "--volumes", "--remove-orphans", "--timeout", "5", timeout=120
            )
        )
        left = docker_client.containers.list(
            all=True, filters={"label": f"com.docker.compose.project={env['COMPOSE_PROJECT_NAME']}"}
        )
        assert not left, "containers left after docker-compose down"


def wait_ready(port: int) -> dict[str, Any]:
    deadline, body = time.monotonic() + READY_TIMEOUT, {}
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            body = response.json()
            if response.status_code == 200:
                return dict(body)
        except requests.RequestException as exc:
            body = {"unreachable": str(exc)}
        time.sleep(1)
    raise AssertionError(f"web not ready in {READY_TIMEOUT:.0f} s: {body}")


def test_the_compose_image_builds_offline_and_web_and_worker_start_and_get_ready(
    project: tuple[dict[str, str], int], redis_conn: Any
) -> None:
    env, port = project
    subprocess.run(
        ["bash", "scripts/fetch-service-wheels.sh", env["AUTOGRADE_BASE_IMAGE"]], cwd=ROOT, check=True
    )
    ok(docker_compose(env, *FILES, "build", "web", timeout=600))
    ok(docker_compose(env, *FILES, "up", "--detach", "--no-deps", "web", "worker"))
    ready = wait_ready(port)
    assert ready["checks"]["workers"]["ok"] and ready["checks"]["database"]["ok"]
    workers = live_workers(redis_conn, "autograde")
    assert workers and all(w["grades"] and w["docker"] for w in workers.values()), workers
    # Ready means a worker's heartbeat is up; RQ registers it a moment later (after a first start
    # that met a database the web had not migrated yet, compose restarts it).
    wait_until(
        lambda: redis_conn.smembers("rq:workers"), RQ_REGISTRATION_TIMEOUT, "the worker's RQ registration"
    )
    imports = "import web.app, worker.tasks, records, integrations, store.db"
    ok(docker_compose(env, *FILES, "exec", "-T", "worker", "python", "-c", imports, timeout=60))
