"""The Docker sandbox against a real engine: limits hold, timeouts are per cell, nothing is left."""

from __future__ import annotations

import itertools
import os
import time

import pytest

from grader.assignment import build_assignment
from grader.execution import Budget
from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.limits import SandboxLimits
from tests.builders import learner_files, make_answer_cell, make_notebook, make_test_cell, to_bytes
from tests.conftest import SANDBOX_IMAGE
from worker.sandbox_grading import grade_in_sandbox

pytestmark = pytest.mark.docker
_names = itertools.count()


@pytest.fixture
def factory(docker_client):  # type: ignore[no-untyped-def]
    worker = f"test-sandbox-{next(_names)}"
    yield DockerSandboxFactory(
        docker_client, SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256), worker=worker
    )
    left = docker_client.containers.list(all=True, filters={"label": f"autograde.worker={worker}"})
    assert left == [], "a sandbox container was left behind"


def run_probe(factory: DockerSandboxFactory, code: str) -> str:
    with factory.open() as sandbox:
        run = sandbox.run_cell(code, timeout=20)
    assert run.status == "ok", run
    return "".join(o.get("text", "") for o in run.outputs if o["output_type"] == "stream")


def test_sandbox_runs_as_non_root_without_network(factory: DockerSandboxFactory) -> None:
    out = run_probe(
        factory,
        "import os, socket\nprint(os.getuid(), os.getgid())\n"
        "s = socket.socket()\ns.settimeout(2)\n"
        "try:\n    s.connect(('1.1.1.1', 53)); print('NETWORK')\nexcept OSError as e:\n    print('blocked', e.errno)\n"
        "print(sorted(i[1] for i in socket.if_nameindex()))",
    )
    assert out.splitlines()[0] == "1000 1000"
    assert "blocked" in out and "NETWORK" not in out
    assert out.splitlines()[-1] == "['lo']"


@pytest.mark.parametrize("runtime", ["runc", pytest.param("runsc", marks=pytest.mark.gvisor)])
def test_every_sandbox_has_its_own_empty_network_namespace(docker_client, runtime: str) -> None:  # type: ignore[no-untyped-def]
    """Docker's network manager is kept out (no hook), but the namespace is still new per sandbox."""
    factory = DockerSandboxFactory(
        docker_client, SandboxLimits(image=SANDBOX_IMAGE, memory_mb=256, runtime=runtime)
    )
    with factory.open() as first, factory.open() as second:
        namespaces = []
        for sandbox in (first, second):
            sandbox.container.reload()
            assert sandbox.container.attrs["Config"].get("NetworkDisabled") is True
            namespaces.append(os.readlink(f"/proc/{sandbox.container.attrs['State']['Pid']}/ns/net"))
            out = "".join(
                o.get("text", "")
                for o in sandbox.run_cell(
                    "import socket\nprint(sorted(i[1] for i in socket.if_nameindex()))", timeout=20
                ).outputs
            )
            assert out.strip() == "['lo']"
    assert len(set(namespaces)) == 2 and os.readlink("/proc/self/ns/net") not in namespaces


def test_root_filesystem_is_read_only_and_scratch_is_capped(factory: DockerSandboxFactory) -> None:
    out = run_probe(
        factory,
        "import os\ntry:\n    open('/opt/x', 'w'); print('WROTE')\nexcept OSError as e:\n    print('ro', e.errno)\n"
        "st = os.statvfs('/home/learner'); print(st.f_blocks * st.f_frsize // 2**20)",
    )
    lines = out.splitlines()
    assert lines[0].startswith("ro") and lines[1] == "64"


def test_no_secrets_in_the_environment(factory: DockerSandboxFactory) -> None:
    out = run_probe(factory, "import os\nprint(sorted(os.environ))")
    assert "TOKEN" not in out and "DATABASE" not in out and "REDIS" not in out


ANSWER = "def f(x):\n    return x + 1"


def grade_between(
    factory: DockerSandboxFactory, code: str, budget: Budget
) -> dict[str, tuple[float | None, str]]:
    """Grade a notebook with ``code`` as a 1-point test before a 2-point test that works."""
    source = make_notebook(
        make_answer_cell("a", ANSWER),
        make_test_cell("abuse", code, points=1),
        make_test_cell("works", "assert f(1) == 2", points=2),
    )
    assignment = build_assignment({"hw.ipynb": to_bytes(source)})
    result = grade_in_sandbox("t", assignment, learner_files(assignment, {"a": ANSWER}), factory, budget)
    return {c.grade_id: (c.score, c.status) for c in result.graded.report.cells}


def test_infinite_loop_times_out_that_cell_only(factory: DockerSandboxFactory) -> None:
    started = time.monotonic()
    cells = grade_between(factory, "while True:\n    pass", Budget(cell_timeout=2, notebook_timeout=60))
    assert cells == {"abuse": (0.0, "timeout"), "works": (2.0, "passed")}
    assert time.monotonic() - started < 30


def test_memory_bomb_kills_only_its_cell_and_the_rest_is_graded(factory: DockerSandboxFactory) -> None:
    cells = grade_between(
        factory, "x = bytearray(2 * 1024**3)", Budget(cell_timeout=20, notebook_timeout=120)
    )
    assert cells["works"] == (2.0, "passed")
    assert cells["abuse"][0] == 0.0 and cells["abuse"][1] in ("error", "failed")


def test_reaper_removes_orphans_of_dead_workers(docker_client) -> None:  # type: ignore[no-untyped-def]
    from worker.reaper import reap_orphans

    orphan = DockerSandboxFactory(
        docker_client, SandboxLimits(image=SANDBOX_IMAGE), worker="dead-worker", fleet="fleet-dead"
    ).open()
    orphan.container = None  # forget it, as a crashed worker would
    assert reap_orphans(docker_client, live_workers={"someone-else"}, fleet="fleet-dead") == 1
    assert docker_client.containers.list(all=True, filters={"label": "autograde.worker=dead-worker"}) == []


def test_reaper_leaves_sandboxes_of_another_deployment_alone(docker_client) -> None:  # type: ignore[no-untyped-def]
    """Two deployments on one engine whose Redis URLs read alike: only the deployment id tells them apart."""
    from service.settings import Settings
    from worker.reaper import reap_orphans
    from worker.wiring import sandbox_factory

    ours_settings = Settings(
        redis_url="redis://redis:6379/0", sandbox_image=SANDBOX_IMAGE, deployment_id="test-deployment-a"
    )
    theirs_settings = ours_settings.replace(deployment_id="test-deployment-b")
    theirs = sandbox_factory(theirs_settings, worker="other-fleet-worker", client=docker_client).open()
    ours = sandbox_factory(ours_settings, worker="our-dead-worker", client=docker_client).open()
    ours.container = None
    try:
        assert reap_orphans(docker_client, live_workers=set(), fleet=ours_settings.deployment_id) == 1
        assert (
            docker_client.containers.list(all=True, filters={"label": "autograde.worker=our-dead-worker"})
            == []
        )
        assert (
            len(
                docker_client.containers.list(
                    all=True, filters={"label": "autograde.worker=other-fleet-worker"}
                )
            )
            == 1
        )
    finally:
        theirs.close()


def test_reaper_removes_a_live_workers_stopped_sandbox_only_once_it_is_stale(
    docker_client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """What an engine restart leaves: the worker lives on, its stopped sandbox was never removed."""
    from datetime import timedelta

    from worker import reaper

    left = DockerSandboxFactory(
        docker_client, SandboxLimits(image=SANDBOX_IMAGE), worker="live-worker", fleet="fleet-stale"
    ).open()
    container, left.container = left.container, None
    container.stop(timeout=1)
    assert (
        reaper.reap_orphans(docker_client, live_workers={"live-worker"}, fleet="fleet-stale") == 0
    )  # just stopped
    monkeypatch.setattr(reaper, "STALE_AFTER", timedelta(0))
    assert reaper.reap_orphans(docker_client, live_workers={"live-worker"}, fleet="fleet-stale") == 1
    assert docker_client.containers.list(all=True, filters={"label": "autograde.fleet=fleet-stale"}) == []


@pytest.mark.parametrize("stop", ["stopped", "removed"])
def test_a_sandbox_its_engine_stops_mid_cell_is_an_infrastructure_fault_not_a_lost_cell(
    factory: DockerSandboxFactory, stop: str
) -> None:
    """An engine stopping (SIGTERM to the container's init) or forgetting the container is our fault:
    ``SandboxError``, retried, never a cell scored 0 as lost."""
    import threading

    from grader.errors import SandboxError

    with factory.open() as sandbox:
        container = sandbox.container
        outside = threading.Timer(
            1.0, lambda: container.stop(timeout=5) if stop == "stopped" else container.remove(force=True)
        )
        outside.start()
        with pytest.raises(SandboxError, match="stopped from outside|removed mid-grade|went away"):
            sandbox.run_cell("import time\ntime.sleep(20)", timeout=30)
        outside.join()


def test_learner_kernel_and_judge_both_see_nbgrader_execution_autograde(
    factory: DockerSandboxFactory,
) -> None:
    """nbgrader's FAQ: notebooks may branch on NBGRADER_EXECUTION, which is 'autograde' while grading."""
    source = make_notebook(
        make_answer_cell("a", "import os\nSEEN = os.environ.get('NBGRADER_EXECUTION')"),
        make_test_cell("in_kernel", "assert SEEN == 'autograde'", points=1),
        make_test_cell(
            "in_judge", "import os\nassert os.environ.get('NBGRADER_EXECUTION') == 'autograde'", points=1
        ),
    )
    assignment = build_assignment({"hw.ipynb": to_bytes(source)})
    answer = "import os\nSEEN = os.environ.get('NBGRADER_EXECUTION')"
    result = grade_in_sandbox(
        "t", assignment, learner_files(assignment, {"a": answer}), factory, Budget(20, 60)
    )
    assert {c.grade_id: c.score for c in result.graded.report.cells} == {"in_kernel": 1.0, "in_judge": 1.0}


def test_a_notebook_reads_the_data_file_submitted_beside_it_but_tests_read_the_instructors(
    factory: DockerSandboxFactory,
) -> None:
    answer = "MINE = open('mine.txt').read()\nSHARED = open('shared.txt').read()"
    source = make_notebook(
        make_answer_cell("a", answer),
        make_test_cell("learner_file", "assert MINE == 'from the learner'", points=1),
        make_test_cell("source_file_wins", "assert SHARED == 'instructor'", points=1),
        make_test_cell(
            "judge_reads_instructors", "import os\nassert not os.path.exists('mine.txt')", points=1
        ),
    )
    assignment = build_assignment({"hw.ipynb": to_bytes(source), "shared.txt": b"instructor"})
    sent = {
        **learner_files(assignment, {"a": answer}),
        "mine.txt": b"from the learner",
        "shared.txt": b"forged",
    }
    result = grade_in_sandbox("t", assignment, sent, factory, Budget(20, 60))
    scores = {c.grade_id: c.score for c in result.graded.report.cells}
    assert scores == {"learner_file": 1.0, "source_file_wins": 1.0, "judge_reads_instructors": 1.0}
