"""Removing sandboxes left behind: by workers that died without cleaning up, or by an engine outage."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

import docker
from docker.errors import DockerException

from grader.errors import BadInput
from sandboxes.docker_sandbox import FLEET_LABEL, LABEL, WORKER_LABEL

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(seconds=60)  # a live worker's sandbox that stopped this long ago is nobody's
DOCKER_EPOCH = "0001-01-01T00:00:00Z"  # what the engine reports for a time that never happened


def reap_orphans(client: docker.DockerClient, live_workers: Collection[str], fleet: str) -> int:
    """Remove every sandbox of deployment ``fleet`` whose owning worker is not in ``live_workers``,
    and every stopped one that nobody has removed for a minute.

    The second kind is what an engine restart leaves: the worker removes a sandbox when its
    grade ends, but not while the engine is down, and the worker lives on. Other deployments
    may share the engine and know nothing of our workers, so there is no reaping without a
    deployment id, and each container's labels are checked here too, not left to the
    engine's filter alone.
    """
    if not fleet:
        raise BadInput(
            "no deployment id to reap by: every deployment's sandboxes on this engine would be candidates"
        )
    removed = 0
    now = datetime.now(UTC)
    # sparse: the list's own fields, so a container removed meanwhile does not fail the listing
    for container in client.containers.list(
        all=True, sparse=True, filters={"label": [LABEL, f"{FLEET_LABEL}={fleet}"]}
    ):
        labels = container.attrs.get("Labels") or {}
        if labels.get(FLEET_LABEL) != fleet or labels.get(LABEL) is None:
            continue
        if labels.get(WORKER_LABEL) in live_workers and not stale(client, container, now):
            continue
        try:
            container.remove(force=True)
            removed += 1
        except DockerException as exc:
            log.warning("could not remove orphan sandbox %s: %s", str(container.id)[:12], exc)
    if removed:
        log.info("removed %d orphaned sandboxes", removed)
    return removed


def stale(client: docker.DockerClient, summary: Any, now: datetime) -> bool:
    """A live worker's sandbox that stopped (or never started) more than ``STALE_AFTER`` ago."""
    if summary.attrs.get("State") not in ("created", "exited", "dead"):
        return False
    try:
        return stopped_long_ago(client.containers.get(summary.id), now)
    except DockerException:  # removed meanwhile
        return False


def stopped_long_ago(container: Any, now: datetime) -> bool:
    """Created and never started, or exited, more than ``STALE_AFTER`` ago."""
    state = container.attrs.get("State", {})
    if state.get("Status") == "created":
        moment = container.attrs.get("Created", DOCKER_EPOCH)
    elif state.get("Status") in ("exited", "dead"):
        moment = state.get("FinishedAt", DOCKER_EPOCH)
    else:
        return False
    return parse_docker_time(moment) < now - STALE_AFTER


def parse_docker_time(value: str) -> datetime:
    """Docker's RFC 3339 times carry nanoseconds, which ``fromisoformat`` does not take."""
    head, _, fraction = value.rstrip("Z").partition(".")
    stamp = datetime.fromisoformat(head).replace(tzinfo=UTC)
    return stamp + timedelta(microseconds=int((fraction + "000000")[:6])) if fraction else stamp
