"""Which sandboxes the orphan reaper may remove, decided by their labels, on a fake engine (issue 19, item 6).

Two deployments may share one Docker engine. Each labels its sandboxes with its deployment id
(``AUTOGRADE_DEPLOYMENT_ID``) and reaps only those: the fleet id used to be a hash of the Redis
URL, so two deployments whose Redis URLs read alike (``redis://redis:6379/0`` in two compose
projects) reaped each other's running grades. The same rules against a real engine are in
``tests/sandboxes/test_docker_sandbox.py`` (marked ``docker``).
"""

from __future__ import annotations

from typing import Any

import pytest

from grader.errors import BadInput
from sandboxes.docker_sandbox import FLEET_LABEL, LABEL, WORKER_LABEL, DockerSandboxFactory
from sandboxes.limits import SandboxLimits
from service.settings import Settings
from worker.reaper import reap_orphans
from worker.wiring import sandbox_factory

SHARED_REDIS = "redis://redis:6379/0"  # what two compose projects on one engine both call their Redis


class FakeContainer:
    def __init__(self, engine: FakeEngine, number: int, labels: dict[str, str]) -> None:
        self.engine = engine
        self.id = f"{number:064x}"
        self.attrs: dict[str, Any] = {"Labels": labels, "State": "running"}

    def remove(self, force: bool = False) -> None:
        del self.engine.running[self.id]


class FakeEngine:
    """Just the part of ``docker.DockerClient`` the reaper uses; ``filters`` honoured as the engine does,
    unless told to ignore them (as an engine would that did not know a filter)."""

    def __init__(self, honours_filters: bool = True, engine_id: str = "engine-1") -> None:
        self.running: dict[str, FakeContainer] = {}
        self.honours_filters = honours_filters
        self.containers = self
        self.engine_id = engine_id

    def info(self) -> dict[str, Any]:
        return {"ID": self.engine_id}

    def run(self, labels: dict[str, str]) -> FakeContainer:
        container = FakeContainer(self, len(self.running) + 1, labels)
        self.running[container.id] = container
        return container

    def list(
        self, all: bool = False, sparse: bool = False, filters: dict[str, Any] | None = None
    ) -> list[FakeContainer]:
        wanted = (filters or {}).get("label", []) if self.honours_filters else []
        return [c for c in list(self.running.values()) if all_match(c.attrs["Labels"], wanted)]

    def workers_left(self) -> list[str]:
        return sorted(c.attrs["Labels"].get(WORKER_LABEL, "-") for c in self.running.values())


def all_match(labels: dict[str, str], wanted: list[str]) -> bool:
    """Docker's label filter: ``key`` is present, ``key=value`` is equal; every one must hold."""
    for rule in wanted:
        key, has_value, value = rule.partition("=")
        if key not in labels or (has_value and labels[key] != value):
            return False
    return True


def factory_of(settings: Settings, engine: FakeEngine, worker: str) -> DockerSandboxFactory:
    return sandbox_factory(settings, worker=worker, client=engine)  # type: ignore[arg-type]


def test_a_sandbox_is_labelled_with_its_worker_and_the_deployment_id() -> None:
    factory = factory_of(Settings(deployment_id="grades-a"), FakeEngine(), "w-1")
    assert factory.labels() == {LABEL: "1", WORKER_LABEL: "w-1", FLEET_LABEL: "grades-a"}


def test_the_deployment_id_labels_sandboxes_even_when_redis_urls_read_alike() -> None:
    a = factory_of(Settings(redis_url=SHARED_REDIS, deployment_id="course-a"), FakeEngine(), "web-1")
    b = factory_of(Settings(redis_url=SHARED_REDIS, deployment_id="course-b"), FakeEngine(), "web-1")
    assert a.labels()[FLEET_LABEL] != b.labels()[FLEET_LABEL]


@pytest.mark.parametrize("honours_filters", [True, False])
def test_two_deployments_on_one_engine_never_reap_each_others_sandboxes(honours_filters: bool) -> None:
    engine = FakeEngine(honours_filters)
    ours = Settings(redis_url=SHARED_REDIS, deployment_id="course-a")
    theirs = Settings(redis_url=SHARED_REDIS, deployment_id="course-b")
    for settings, worker in ((ours, "a-dead"), (ours, "a-live"), (theirs, "b-1"), (theirs, "b-2")):
        engine.run(factory_of(settings, engine, worker).labels())
    engine.run({"com.example.other": "1"})  # not a sandbox at all
    assert reap_orphans(engine, live_workers={"a-live"}, fleet=ours.deployment_id) == 1  # type: ignore[arg-type]
    assert engine.workers_left() == ["-", "a-live", "b-1", "b-2"]


def test_a_sandbox_without_a_deployment_label_is_no_deployments_to_reap() -> None:
    """Sandboxes opened outside any deployment (a developer's test run) are left to whoever made them."""
    engine = FakeEngine(honours_filters=False)
    engine.run({LABEL: "1", WORKER_LABEL: "someone"})
    assert reap_orphans(engine, live_workers=set(), fleet="course-a") == 0  # type: ignore[arg-type]


def test_the_reaper_refuses_to_run_without_a_deployment_id() -> None:
    engine = FakeEngine()
    engine.run(factory_of(Settings(deployment_id="course-b"), engine, "b-1").labels())
    with pytest.raises(BadInput, match="deployment"):
        reap_orphans(engine, live_workers=set(), fleet="")  # type: ignore[arg-type]
    assert len(engine.running) == 1


def test_a_factory_made_for_another_runtime_keeps_the_deployment_label() -> None:
    factory = DockerSandboxFactory(FakeEngine(), SandboxLimits(image="x"), worker="w", fleet="course-a")  # type: ignore[arg-type]
    assert factory.with_runtime("runsc").labels()[FLEET_LABEL] == "course-a"


@pytest.mark.redis
def test_every_host_reaps_the_orphans_on_its_own_engine(redis_conn: Any) -> None:  # type: ignore[no-untyped-def]
    """Issue 19, item 5: a dead worker's sandboxes on host B are removed though host A's worker holds the fleet lock."""
    from worker.watchdog import Watchdog

    settings = Settings(deployment_id="course-a", queue_prefix="reap-test", database_url="sqlite:///:memory:")
    hosts = {name: FakeEngine(engine_id=f"engine-{name}") for name in ("a", "b")}
    for name, engine in hosts.items():
        engine.run(factory_of(settings, engine, f"dead-on-{name}").labels())
    watchdogs = [
        Watchdog(settings, redis_conn, f"w-{name}", lambda e=engine: e) for name, engine in hosts.items()
    ]
    redis_conn.set("reap-test:watchdog", "w-a")  # host A's worker holds the fleet's lock this interval
    for watchdog in watchdogs:
        watchdog.tick()
    assert {name: engine.workers_left() for name, engine in hosts.items()} == {"a": [], "b": []}


@pytest.mark.redis
def test_workers_sharing_an_engine_reap_it_once_an_interval(redis_conn: Any) -> None:  # type: ignore[no-untyped-def]
    from worker.watchdog import Watchdog

    settings = Settings(deployment_id="course-a", queue_prefix="reap-test", database_url="sqlite:///:memory:")
    engine = FakeEngine()
    first, second = (Watchdog(settings, redis_conn, name, lambda: engine) for name in ("w-1", "w-2"))
    engine.run(factory_of(settings, engine, "dead").labels())
    assert first.reap_own_engine() == 1
    engine.run(factory_of(settings, engine, "dead-too").labels())
    assert second.reap_own_engine() == 0  # the first one reaped this engine this interval
    assert engine.workers_left() == ["dead-too"]
