"""Adapters built from the settings (worker/wiring.py): every sandbox limit and the budget taken from
their settings, sandboxes labelled and checked for this deployment, no engine refused with what to do,
and Redis clients whose timeouts fit their use (the worker's own loop blocks longer than 5 s).

Which sandboxes the reaper may remove by the labels set here: tests/worker/test_reaper.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import docker
import pytest

from grader.errors import SandboxError
from sandboxes.docker_sandbox import FLEET_LABEL, WORKER_LABEL
from sandboxes.limits import SandboxLimits
from service.settings import Settings
from tests.conftest import REDIS_URL
from worker.wiring import budget, local_engine, redis_connection, sandbox_factory, sandbox_limits

IMAGE_ID = "sha256:" + "e" * 64
LIMITS = {  # each limit: the setting it comes from, and a value other than both defaults
    "image": ("sandbox_image", "img:7"),
    "runtime": ("sandbox_runtime", "runsc"),
    "memory_mb": ("memory_mb", 300),
    "cpus": ("cpus", 1.5),
    "pids": ("pids_limit", 64),
    "nofile": ("nofile_limit", 256),
    "scratch_mb": ("scratch_mb", 32),
    "output_limit_bytes": ("output_limit_bytes", 4096),
    "start_timeout": ("kernel_start_timeout", 12.0),
}


def test_every_sandbox_limit_comes_from_its_own_setting() -> None:
    limits = sandbox_limits(Settings(**dict(LIMITS.values())))
    assert {name: getattr(limits, name) for name in LIMITS} == {name: v for name, (_, v) in LIMITS.items()}
    assert set(LIMITS) == {f.name for f in dataclasses.fields(SandboxLimits)}  # none left at its default


def test_the_budget_is_the_cell_and_notebook_timeouts() -> None:
    made = budget(Settings(cell_timeout=7.0, notebook_timeout=70.0))
    assert (made.cell_timeout, made.notebook_timeout) == (7.0, 70.0)


def test_a_factory_labels_its_sandboxes_for_the_deployment_and_checks_the_pinned_image() -> None:
    settings = Settings(deployment_id="course-a", sandbox_image_id=IMAGE_ID, memory_mb=300)
    engine = object()  # never called: making a factory starts nothing
    factory = sandbox_factory(settings, worker="w-3", client=engine)  # type: ignore[arg-type]
    assert factory.client is engine and factory.limits == sandbox_limits(settings)
    assert factory.labels()[WORKER_LABEL] == "w-3" and factory.labels()[FLEET_LABEL] == "course-a"
    assert factory.verifier.pinned_id == IMAGE_ID


def no_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")


def test_no_reachable_engine_is_a_sandbox_error_saying_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    no_engine(monkeypatch, tmp_path)
    with pytest.raises(SandboxError, match="no Docker engine reachable.*provision-docker.sh") as raised:
        local_engine()
    assert isinstance(raised.value.__cause__, docker.errors.DockerException)
    with pytest.raises(SandboxError):  # a factory without a client of its own finds none either
        sandbox_factory(Settings())


@pytest.mark.docker
def test_the_local_engine_is_the_one_the_environment_names(docker_client: Any) -> None:
    assert local_engine().info()["ID"] == docker_client.info()["ID"]


def test_a_client_times_out_after_5_s_and_the_worker_loops_client_never_on_reads() -> None:
    settings = Settings(redis_url="redis://127.0.0.1:6379/5")
    ordinary = redis_connection(settings).connection_pool.connection_kwargs
    blocking = redis_connection(settings, blocking=True).connection_pool.connection_kwargs
    assert (ordinary["socket_connect_timeout"], ordinary["socket_timeout"]) == (5, 5)
    assert (blocking["socket_connect_timeout"], blocking["socket_timeout"]) == (5, None)
    assert ordinary["db"] == blocking["db"] == 5
    assert ordinary["health_check_interval"] == blocking["health_check_interval"] == 30


@pytest.mark.redis
@pytest.mark.slow
def test_the_worker_loops_client_waits_out_a_pop_longer_than_the_ordinary_timeout(redis_conn: Any) -> None:
    """RQ's idle pop waits minutes: with a 5 s read timeout each one failed as a connection error."""
    settings = Settings(redis_url=REDIS_URL)
    assert redis_connection(settings, blocking=True).blpop(["wiring-test-empty"], timeout=6) is None
    assert redis_connection(settings).ping() is True
