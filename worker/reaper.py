"""Removing sandboxes left behind by workers that died without cleaning up."""

from __future__ import annotations

import logging
from collections.abc import Collection

import docker
from docker.errors import DockerException

from sandboxes.docker_sandbox import FLEET_LABEL, LABEL, WORKER_LABEL

log = logging.getLogger(__name__)


def reap_orphans(client: docker.DockerClient, live_workers: Collection[str], fleet: str = "") -> int:
    """Remove every sandbox of ``fleet`` whose owning worker is not in ``live_workers``.

    Without a fleet, every sandbox on the engine is a candidate (the CLI's cleanup).
    """
    removed = 0
    labels = [LABEL, f"{FLEET_LABEL}={fleet}"] if fleet else [LABEL]
    for container in client.containers.list(all=True, filters={"label": labels}):
        if container.labels.get(WORKER_LABEL) in live_workers:
            continue
        try:
            container.remove(force=True)
            removed += 1
        except DockerException as exc:
            log.warning("could not remove orphan sandbox %s: %s", container.short_id, exc)
    if removed:
        log.info("removed %d orphaned sandboxes", removed)
    return removed
