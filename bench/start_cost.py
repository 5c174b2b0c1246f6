"""Where the CPU of one sandbox's life goes, side by side with Docker's own network set-up.

    .venv/bin/python -m bench.start_cost --sandboxes 15 --runtimes runc,runsc

Each row opens N sandboxes one after another exactly as a worker does (create, attach, start,
the agent's ready line, the key exchange), pings each and removes it, and splits the
machine's CPU time (``/proc/stat``) between the containers themselves (their cgroups'
``cpuacct``), dockerd, containerd, this client and the rest: the short-lived processes of
each container's start (containerd's shim, runc or runsc, any OCI hook) and the kernel's
own work. The baseline row creates the containers with Docker's network manager, as
``network_mode="none"`` alone does; the service also sets ``network_disabled``
(``sandboxes/limits.py`` says why). Rows alternate, twice each, so drift on a shared
machine shows. ``--steps`` instead times bare containers that go one step further each (the
runtime alone, an interpreter, IPython, the shell, numpy): the floor under a sandbox's
start on each runtime. ``--images A,B`` compares sandbox images (one before a change, one
after) in alternating rows, each life also guarding numpy and running a cell as a grade
does. ``--service N`` grades N submissions of the speed benchmark through
the service (HTTP, two workers with warm pools) and splits the CPU per graded submission the
same way, with the web and worker processes on their own. Figures are only ever compared
within one run.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker

from bench.sampling import Process, descendants, process_table
from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.limits import SandboxLimits

TICK = os.sysconf("SC_CLK_TCK")
# Docker's parent cgroup (its cgroupfs driver), v1 and v2: it keeps the CPU of removed containers.
CGROUPS = ("/sys/fs/cgroup/cpuacct/docker/cpuacct.usage", "/sys/fs/cgroup/docker/cpu.stat")


def machine_cpu() -> float:
    """Seconds of CPU the whole machine spent (user, nice, system, irq, softirq)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:8]]
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / TICK


def named_cpu(name: str, table: dict[int, Process]) -> float:
    """Seconds of CPU of the live processes called ``name``."""
    return sum(p.ticks for p in table.values() if p.name == name) / TICK


def tree_cpu(roots: list[int], table: dict[int, Process]) -> float:
    """Seconds of CPU of processes and their descendants, reaped children included."""
    return (
        sum(table[pid].ticks + table[pid].reaped_ticks for pid in descendants(roots, table) if pid in table)
        / TICK
    )


def containers_cpu() -> float:
    """Seconds of CPU charged to all containers so far, removed ones included."""
    v1, v2 = CGROUPS
    if Path(v1).exists():
        return int(Path(v1).read_text()) / 1e9
    for line in Path(v2).read_text().splitlines() if Path(v2).exists() else ():
        if line.startswith("usage_usec"):
            return int(line.split()[1]) / 1e6
    raise RuntimeError(
        f"no CPU accounting for Docker's containers at {v1} or {v2} (the systemd cgroup driver?)"
    )


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


Probes = dict[str, Callable[[dict[int, Process]], float]]  # each reads what it needs of one process table
PROBES: Probes = {
    "machine": lambda _: machine_cpu(),
    "containers": lambda _: containers_cpu(),
    "dockerd": lambda table: named_cpu("dockerd", table),
    "containerd": lambda table: named_cpu("containerd", table),
    "client": lambda _: own_cpu(),
}


def snapshot(probes: Probes) -> dict[str, float]:
    table = process_table()
    return {name: probe(table) for name, probe in probes.items()}


def ms_each(probes: Probes, before: dict[str, float], count: int) -> dict[str, float]:
    """Milliseconds of CPU per item since ``before``, by probe."""
    after = snapshot(probes)
    return {name: (after[name] - value) / count * 1000 for name, value in before.items()}


@dataclass
class Row:
    way: str
    wall_ms: float
    cpu_ms: dict[str, float]

    def markdown(self) -> str:
        rest = self.cpu_ms["machine"] - sum(v for k, v in self.cpu_ms.items() if k != "machine")
        parts = [self.cpu_ms[k] for k in ("machine", "containers", "dockerd", "containerd", "client")]
        return f"| {self.way} | {self.wall_ms:.0f} | " + " | ".join(f"{v:.0f}" for v in [*parts, rest]) + " |"


HEADER = (
    "| way | wall ms | machine CPU ms | containers | dockerd | containerd | client | rest (shim, runtime, hooks, kernel) |\n"
    "|---|---|---|---|---|---|---|---|"
)


class _DockerNetworking(SandboxLimits):
    """The service's limits with Docker's network manager back in: the baseline."""

    def container_options(self) -> dict[str, Any]:
        return {**super().container_options(), "network_disabled": False}


def measure(limits: SandboxLimits, count: int, way: str, graded: bool = False) -> Row:
    """Open, ping and remove ``count`` sandboxes; ``graded`` also guards numpy and runs a cell, as a grade does."""
    factory = DockerSandboxFactory(docker.from_env(), limits, worker="bench-start-cost")
    for _ in range(2):  # the image's files in the page cache, the engine's first-call costs paid
        factory.open().close()
    before = snapshot(PROBES)
    started = time.monotonic()
    for _ in range(count):
        with factory.open() as sandbox:
            if not sandbox.ping():
                raise RuntimeError(f"sandbox {sandbox.short_id} did not answer")
            if graded:
                sandbox.guard(["numpy", "numpy.testing"])
                cell = sandbox.run_cell("import numpy as np\nassert np.arange(10).sum() == 45", timeout=30)
                if cell.status != "ok":
                    raise RuntimeError(f"sandbox {sandbox.short_id}: the numpy cell ended {cell.status}")
    wall = time.monotonic() - started
    return Row(way, wall / count * 1000, ms_each(PROBES, before, count))


AGENT = "import sys; sys.path.insert(0, '/opt/agent'); import preload; done = preload.install('/opt/agent/preloaded-modules.marshal'); "
SHELL = (
    AGENT
    + "import lean_kernel; from traitlets.config import Config; c = Config(); c.HistoryManager.hist_file = ':memory:'; s = lean_kernel.LeanShell.instance(config=c); "
)
STEPS = {  # each a whole container life; each step includes the ones above it
    "the runtime alone (/bin/true)": ["/bin/true"],
    "+ a Python interpreter": ["/opt/sandbox/bin/python", "-I", "-c", "pass"],
    "+ IPython imported from the preload table": [
        "/opt/sandbox/bin/python",
        "-I",
        "-c",
        AGENT + "import lean_kernel",
    ],
    "+ the shell started, one cell run": [
        "/opt/sandbox/bin/python",
        "-I",
        "-c",
        SHELL + "s.run_cell('x = 1')",
    ],
    "+ numpy imported from its preload table": [
        "/opt/sandbox/bin/python",
        "-I",
        "-c",
        SHELL + "done(); preload.install('/opt/agent/preloaded-numpy.marshal'); import numpy, numpy.testing",
    ],
}


def steps(image: str, runtime: str, count: int) -> None:
    """One process, no agent: the floor each part of a sandbox's start puts under its CPU."""
    client = docker.from_env()
    options = {
        k: v
        for k, v in SandboxLimits(image=image, runtime=runtime).container_options().items()
        if k not in ("init", "user", "cap_add", "environment")
    }
    environment = {"IPYTHONDIR": "/tmp/.ipython"}
    for label, command in STEPS.items():
        client.containers.run(image, entrypoint=command, remove=True, environment=environment, **options)
        before = snapshot(PROBES)
        started = time.monotonic()
        for _ in range(count):
            client.containers.run(image, entrypoint=command, remove=True, environment=environment, **options)
        wall = time.monotonic() - started
        print(
            Row(f"{runtime}, {label}", wall / count * 1000, ms_each(PROBES, before, count)).markdown(),
            flush=True,
        )


def per_submission(runtime: str, count: int, redis_url: str) -> None:
    """CPU per graded submission, by process, for the service with its warm pool."""
    from bench.service import running
    from bench.workload import submissions

    work = submissions(count)
    with running(runtime, 2, 2, redis_url) as service:
        probes: Probes = {
            **PROBES,
            "web": lambda table: tree_cpu([service.processes[0].pid], table),
            "workers": lambda table: tree_cpu(service.worker_pids, table),
        }
        assignment = service.upload_assignment()
        service.wait_pool_full()
        before = snapshot(probes)
        ids = [service.submit(assignment, key, data) for key, data in work.items()]
        service.wait_graded(ids, poll=0.2)
        spent = ms_each(probes, before, count)
        _, _, _, span = service.measured(ids)
    rest = spent["machine"] - sum(v for k, v in spent.items() if k != "machine")
    print(
        f"| {runtime} | {count / span * 60:.1f} | "
        + " | ".join(
            f"{spent[k]:.0f}"
            for k in ("machine", "containers", "workers", "web", "dockerd", "containerd", "client")
        )
        + f" | {rest:.0f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sandboxes", type=int, default=15, help="sandboxes per row")
    parser.add_argument("--runtimes", default="runc,runsc")
    parser.add_argument("--image", default=SandboxLimits().image)
    parser.add_argument("--steps", action="store_true", help="instead: the floor under a start, step by step")
    parser.add_argument("--service", type=int, default=0, help="instead: grade this many through the service")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--images",
        default="",
        help="instead: IMAGE,IMAGE... side by side, 3 rounds alternating, numpy guarded",
    )
    args = parser.parse_args()
    if args.service:
        print(
            f"# CPU per graded submission, ms ({args.service} submissions, warm pool 2/worker, 2 workers)\n"
        )
        print(
            "| runtime | graded/min | machine | containers | workers | web | dockerd | containerd | this client |"
            " rest (shims, runtimes, kernel) |\n|---|---|---|---|---|---|---|---|---|---|"
        )
        for runtime in args.runtimes.split(","):
            per_submission(runtime, args.service, args.redis_url)
        return 0
    print(f"# CPU per sandbox life ({args.sandboxes} sandboxes a row, ms)\n\n{HEADER}")
    if args.images:
        for runtime in args.runtimes.split(","):
            for _ in range(3):
                for image in args.images.split(","):
                    limits = SandboxLimits(image=image, runtime=runtime)
                    print(
                        measure(limits, args.sandboxes, f"{runtime}, {image}", graded=True).markdown(),
                        flush=True,
                    )
        return 0
    if args.steps:
        for runtime in args.runtimes.split(","):
            steps(args.image, runtime, args.sandboxes)
        return 0
    for runtime in args.runtimes.split(","):
        for _ in range(2):
            for limits, label in (
                (_DockerNetworking(image=args.image, runtime=runtime), "Docker's network manager (baseline)"),
                (SandboxLimits(image=args.image, runtime=runtime), "network disabled (the service)"),
            ):
                print(measure(limits, args.sandboxes, f"{runtime}, {label}").markdown(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
