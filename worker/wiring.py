"""Building adapters from the settings: the one place that turns configuration into objects."""

from __future__ import annotations

import docker
import redis

from grader.errors import SandboxError
from grader.execution import Budget
from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.image_check import ImageVerifier
from sandboxes.limits import SandboxLimits
from service.settings import Settings


def sandbox_limits(settings: Settings) -> SandboxLimits:
    return SandboxLimits(
        image=settings.sandbox_image,
        runtime=settings.sandbox_runtime,
        memory_mb=settings.memory_mb,
        cpus=settings.cpus,
        pids=settings.pids_limit,
        nofile=settings.nofile_limit,
        scratch_mb=settings.scratch_mb,
        output_limit_bytes=settings.output_limit_bytes,
        start_timeout=settings.kernel_start_timeout,
    )


def budget(settings: Settings) -> Budget:
    return Budget(cell_timeout=settings.cell_timeout, notebook_timeout=settings.notebook_timeout)


def sandbox_factory(
    settings: Settings, worker: str = "cli", client: docker.DockerClient | None = None
) -> DockerSandboxFactory:
    """Sandboxes on the local engine (or ``client``), labelled with the deployment id so that
    another deployment sharing the engine never reaps them, nor we theirs."""
    return DockerSandboxFactory(
        client or local_engine(),
        sandbox_limits(settings),
        worker=worker,
        fleet=settings.deployment_id,
        verifier=ImageVerifier(pinned_id=settings.sandbox_image_id),
    )


def local_engine() -> docker.DockerClient:
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as exc:
        raise SandboxError(
            f"no Docker engine reachable ({exc}); start one (scripts/provision-docker.sh)"
        ) from exc
    return client


def redis_connection(settings: Settings, blocking: bool = False) -> redis.Redis:
    """A client with 5 s timeouts, or (``blocking``) one for the RQ worker loop itself.

    redis-py takes the connect timeout as the read timeout too when none is given. RQ's
    worker waits for jobs in a blocking pop of up to 405 s; with a 5 s read timeout every
    idle pop failed as a "connection error", and RQ's back-off after those errors grew to a
    minute, during which a new job waited unnoticed. RQ sets a read timeout longer than its
    pop on the client it is given when that has none, so the worker's client has none.
    """
    if blocking:
        return redis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=5, socket_timeout=None, health_check_interval=30
        )
    return redis.Redis.from_url(
        settings.redis_url, socket_connect_timeout=5, socket_timeout=5, health_check_interval=30
    )
