"""What judging tests in a separate process costs, side by side with today's in-process path.

    .venv/bin/python -m bench.judge_cost --submissions 30 --runtimes runc,runsc

The workload is the speed benchmark's (``bench/workload.py``: the example course's ``arrays``
assignment, correct, wrong and erroring notebooks). Each submission is graded twice through
the same warm pool, once with the assignment's tests in the judge (the default) and once
in-process (``metadata.autograde.judge = "in-process"``, the path every grade took before
the judge), in alternating order so that drift on a shared machine falls on both. A grade is
timed from taking a warm sandbox to the finished report, as a worker does; "overhead" is
that time minus the cells' own execution as the agent measured it, which is what the speed
benchmark calls overhead. The judge's cost per submission is the difference of the two
medians; machine CPU per submission (``/proc/stat``, from before the wait for the pool to
refill after the previous grade to the end of this one, so each sandbox's start and removal
count) shows what the second process costs in throughput. Both ways must give every submission the same score.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field

import docker
import nbformat

from bench.start_cost import machine_cpu
from bench.workload import SOURCE, submissions
from grader.assignment import Assignment, build_assignment
from grader.execution import Budget
from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.limits import SandboxLimits
from sandboxes.pool import WarmPool
from worker.sandbox_grading import grade_in_sandbox

BUDGET = Budget(cell_timeout=5, notebook_timeout=120)


@dataclass
class Way:
    name: str
    assignment: Assignment
    totals: list[float] = field(default_factory=list)
    overheads: list[float] = field(default_factory=list)
    cpu: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)


def assignment(in_process: bool) -> Assignment:
    source = nbformat.reads(SOURCE.read_text(), as_version=4)
    if in_process:
        source.metadata["autograde"] = {"judge": "in-process"}
    return build_assignment({SOURCE.name: nbformat.writes(source).encode()})


def grade_one(way: Way, pool: WarmPool, key: str, notebook: bytes) -> None:
    """One grade; its CPU window also holds the wait for the pool to refill, so a start counts."""
    cpu = machine_cpu()
    pool.wait_ready(timeout=120)  # each grade meets a full pool, as an idle worker's does
    started = time.monotonic()
    result = grade_in_sandbox(way.name, way.assignment, {SOURCE.name: notebook}, pool, BUDGET)
    total = time.monotonic() - started
    way.cpu += machine_cpu() - cpu
    way.totals.append(total)
    way.overheads.append(total - result.provenance["timings"]["cells"])
    way.scores[key] = result.graded.report.score


def measure(runtime: str, count: int, block: int) -> list[Way]:
    limits = SandboxLimits(runtime=runtime)
    factory = DockerSandboxFactory(docker.from_env(), limits, worker=f"bench-judge-{runtime}")
    ways = [Way("in-process (before)", assignment(True)), Way("judge (now)", assignment(False))]
    work = [(k, v) for k, v in submissions(count + 1).items()][:count]  # without the slow timeout notebook
    pool = WarmPool(factory, 2)
    try:
        pool.start()
        pool.wait_ready(timeout=120)
        for start in range(0, count, block):
            for way in ways if (start // block) % 2 == 0 else reversed(ways):
                for key, notebook in work[start : start + block]:
                    grade_one(way, pool, key, notebook)
    finally:
        pool.close()
    return ways


def report(runtime: str, ways: list[Way]) -> bool:
    before, now = ways
    print(f"\n{runtime}: {len(now.totals)} submissions per way, warm pool of 2\n")
    print("| way | grade median ms | grade p95 ms | overhead median ms | machine CPU ms per submission |")
    print("|---|---|---|---|---|")
    for way in ways:
        ordered = sorted(way.totals)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"| {way.name} | {statistics.median(way.totals) * 1000:.0f} | {p95 * 1000:.0f} "
            f"| {statistics.median(way.overheads) * 1000:.0f} | {way.cpu / len(way.totals) * 1000:.0f} |"
        )
    added = (statistics.median(now.totals) - statistics.median(before.totals)) * 1000
    print(f"\nthe judge's cost per submission (median grade time, now minus before): {added:.0f} ms")
    agree = before.scores == now.scores
    print(
        f"scores agree: {'yes' if agree else 'NO: ' + str({k: (before.scores[k], now.scores.get(k)) for k in before.scores if before.scores[k] != now.scores.get(k)})}"
    )
    return agree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--runtimes", default="runc,runsc")
    parser.add_argument("--block", type=int, default=5, help="submissions per way before the ways swap")
    args = parser.parse_args()
    print(f"bench.judge_cost at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    agree = [
        report(runtime, measure(runtime, args.submissions, args.block))
        for runtime in args.runtimes.split(",")
    ]
    return 0 if all(agree) else 1


if __name__ == "__main__":
    sys.exit(main())
