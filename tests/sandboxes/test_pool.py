"""The warm pool against a real engine, on runc and gVisor.

A warm sandbox must be exactly what a cold one is: used by one submission only, carrying
nothing over from anyone, under the same limits; and the pool must keep itself full when
sandboxes die, idle or in use.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from grader.errors import SandboxError
from sandboxes.docker_sandbox import (
    GRADING_SHARES,
    PRIORITY_SHARES,
    WARMING_SHARES,
    DockerSandbox,
    DockerSandboxFactory,
)
from sandboxes.limits import SandboxLimits
from sandboxes.pool import WarmPool
from tests.conftest import SANDBOX_IMAGE

pytestmark = pytest.mark.docker
_names = itertools.count()
RUNTIMES = ["runc", pytest.param("runsc", marks=pytest.mark.gvisor)]


def containers_of(docker_client: Any, worker: str) -> list[Any]:
    """Ids only: ``containers.list`` inspects each one and races with their removal."""
    return [
        c["Id"]
        for c in docker_client.api.containers(all=True, filters={"label": f"autograde.worker={worker}"})
    ]


def wait_until(predicate: Any, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


@pytest.fixture(params=RUNTIMES)
def pool(request: pytest.FixtureRequest, docker_client: Any) -> Iterator[WarmPool]:
    worker = f"test-pool-{next(_names)}"
    limits = SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256, runtime=request.param)
    warm = WarmPool(DockerSandboxFactory(docker_client, limits, worker=worker), size=2).start()
    assert warm.wait_ready(timeout=120), f"the pool never filled: {warm.last_error}"
    yield warm
    warm.close()
    assert wait_until(lambda: containers_of(docker_client, worker) == [], 30), (
        "the pool left containers behind"
    )


def stdout_of(sandbox: DockerSandbox, code: str) -> str:
    run = sandbox.run_cell(code, timeout=20)
    assert run.status == "ok", run
    return "".join(o.get("text", "") for o in run.outputs if o["output_type"] == "stream")


def test_each_sandbox_is_handed_out_once_and_destroyed_after(pool: WarmPool, docker_client: Any) -> None:
    seen = set()
    for _ in range(4):
        with pool.open() as sandbox:
            assert sandbox.warm
            seen.add(sandbox.short_id)
            container_id = sandbox.container.id
        assert wait_until(
            lambda cid=container_id: not docker_client.api.containers(all=True, filters={"id": cid}), 30
        )
    assert len(seen) == 4
    assert pool.handed_out == 4 and pool.cold_opens == 0


def test_nothing_carries_over_between_submissions(pool: WarmPool) -> None:
    with pool.open() as first:
        stdout_of(
            first,
            "secret = 'first learner'\nopen('/home/learner/answer.txt', 'w').write('mine')\n"
            "open('/tmp/left.txt', 'w').write('x')",
        )
    with pool.open() as second:
        out = stdout_of(
            second,
            "import os\nprint('secret' in globals(), os.path.exists('/home/learner/answer.txt'),"
            " os.path.exists('/tmp/left.txt'), len(In))",
        )
    assert out.split() == ["False", "False", "False", "2"]


def test_warm_sandboxes_keep_every_limit(pool: WarmPool, docker_client: Any) -> None:
    with pool.open() as sandbox:
        inspected = docker_client.api.inspect_container(sandbox.container.id)
        host = inspected["HostConfig"]
        out = stdout_of(
            sandbox,
            "import os, socket\nprint(os.getuid())\ns = socket.socket()\ns.settimeout(2)\n"
            "try:\n    s.connect(('1.1.1.1', 53)); print('NETWORK')\nexcept OSError:\n    print('blocked')\n"
            "try:\n    open('/opt/x', 'w'); print('WROTE')\nexcept OSError:\n    print('read-only')",
        )
    assert out.split() == ["1000", "blocked", "read-only"]
    assert host["NetworkMode"] == "none" and inspected["Config"]["NetworkDisabled"] is True
    assert host["ReadonlyRootfs"] is True
    assert host["Memory"] == 256 * 2**20 and host["CapDrop"] == ["ALL"]
    assert host["Runtime"] == pool.limits.runtime


def test_a_sandbox_killed_while_idle_is_replaced_not_handed_out(pool: WarmPool, docker_client: Any) -> None:
    victim = pool._idle[0]
    docker_client.api.kill(victim.container.id)
    with pool.open() as sandbox:
        assert sandbox is not victim
        assert stdout_of(sandbox, "print(6 * 7)").strip() == "42"
    assert pool.discarded == 1
    assert pool.wait_ready(timeout=120), "the pool did not refill after a dead idle sandbox"


def test_the_pool_refills_after_a_kernel_crash(pool: WarmPool) -> None:
    with pool.open() as sandbox:
        run = sandbox.run_cell("import os\nos._exit(3)", timeout=20)
        assert run.status == "dead"
    started = pool.started_total
    assert pool.wait_ready(timeout=120)
    assert pool.started_total >= started
    with pool.open() as fresh:
        assert stdout_of(fresh, "print('alive')").strip() == "alive"


def test_an_unusable_engine_or_image_is_a_sandbox_error_not_a_hang(docker_client: Any) -> None:
    worker = f"test-pool-{next(_names)}"
    limits = SandboxLimits(image="autograde-no-such-image:never", start_timeout=5)
    with WarmPool(DockerSandboxFactory(docker_client, limits, worker=worker), size=1) as broken:
        assert not broken.wait_ready(timeout=3)
        with pytest.raises(SandboxError):
            broken.open()
        assert broken.last_error
        assert all(t.is_alive() for t in broken._threads), "a refill thread died"
    assert containers_of(docker_client, worker) == []


def test_the_reserve_is_kept_for_priority_grades(docker_client: Any) -> None:
    worker = f"test-pool-{next(_names)}"
    factory = DockerSandboxFactory(
        docker_client, SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256), worker=worker
    )
    with WarmPool(factory, size=1, reserve=1) as pool:
        assert pool.wait_ready(timeout=120) and pool.idle == 2
        with pool.open() as ordinary:
            assert ordinary.warm and ordinary.cpu_shares == GRADING_SHARES
            assert pool.idle == 1, "an ordinary grade took the reserved sandbox"
            with pool.open(priority=True) as exam:
                assert exam.warm and exam.cpu_shares == PRIORITY_SHARES
                shares = docker_client.api.inspect_container(exam.container.id)["HostConfig"]["CpuShares"]
                assert shares == PRIORITY_SHARES
        assert pool.wait_ready(timeout=120)
        idle_shares = {
            docker_client.api.inspect_container(s.container.id)["HostConfig"]["CpuShares"] for s in pool._idle
        }
        assert idle_shares == {WARMING_SHARES}, "warming sandboxes should yield to grading"


def test_a_held_refill_waits_for_running_exams_and_an_exam_never_waits_for_it(docker_client: Any) -> None:
    """``hold`` runs before each start; an exam finding only a held start opens one cold."""
    worker = f"test-pool-{next(_names)}"
    factory = DockerSandboxFactory(
        docker_client, SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256), worker=worker
    )
    released = threading.Event()
    holds: list[float] = []

    def hold() -> None:
        holds.append(time.monotonic())
        released.wait(30)

    with WarmPool(factory, size=1, hold=hold) as pool:
        assert wait_until(lambda: len(holds) == 1, 10)
        assert pool.status()["starting"] == 1 and pool.idle == 0 and pool.started_total == 0
        with pool.open(priority=True) as exam:
            assert not exam.warm and pool.cold_opens == 1
        released.set()
        assert pool.wait_ready(timeout=120) and pool.started_total == 1


def test_an_exam_lane_pool_warms_at_the_exam_weight(docker_client: Any) -> None:
    worker = f"test-pool-{next(_names)}"
    factory = DockerSandboxFactory(
        docker_client, SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256), worker=worker
    )
    with WarmPool(factory, size=1, warm_shares=PRIORITY_SHARES) as pool:
        assert pool.wait_ready(timeout=120)
        idle = pool._idle[0]
        assert (
            docker_client.api.inspect_container(idle.container.id)["HostConfig"]["CpuShares"]
            == PRIORITY_SHARES
        )
        with pool.open(priority=True) as exam:
            assert exam is idle and exam.cpu_shares == PRIORITY_SHARES
