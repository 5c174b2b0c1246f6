"""Grading throughput and latency: stock nbgrader on the host vs. this service's sandbox path.

One command, one run, side by side (performance is compared within a run, never against
numbers typed in). It builds N submissions of the example course's ``arrays`` assignment
(a mix of correct, wrong, erroring and one timing-out notebook), then grades them

  (a) with stock ``nbgrader autograde``, one serial batch on the host, no sandbox;
  (b) through ``autograde.grading.grade_in_sandbox`` (a fresh hardened container each),
      on runc and on runsc, sequentially and with ``--parallel`` at once;

prints graded per minute, latency median and 95th percentile, and checks that every way
gives every submission the same score.

    .venv/bin/pip install -e '.[bench]'     # numpy and pandas for stock nbgrader's host kernel
    .venv/bin/python bench/grading_throughput.py --submissions 12 --parallel 2

Not yet here (the speed issue): the warm pool, and the service end to end over HTTP.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker

from autograde.grading import grade_in_sandbox
from grader.assignment import build_assignment
from grader.execution import Budget
from sandboxes.docker_sandbox import DockerSandboxFactory
from sandboxes.limits import SandboxLimits

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "examples" / "course"
SOURCE = COURSE / "assignments" / "arrays" / "arrays.ipynb"
MIX = ("alice", "bob", "carol", "alice", "bob", "alice")  # correct, wrong, erroring; dave (timeout) once
CELL_TIMEOUT = 5


def submissions(count: int) -> dict[str, bytes]:
    learners = [MIX[i % len(MIX)] for i in range(count - 1)] + ["dave"]
    return {f"s{i:03d}": (COURSE / "submissions" / who / "arrays.ipynb").read_bytes() for i, who in enumerate(learners)}


def stock_nbgrader(work: dict[str, bytes]) -> tuple[float, dict[str, float]]:
    """Serial host batch; returns (seconds for the batch, scores)."""
    course = Path(tempfile.mkdtemp(prefix="bench-nbgrader-"))
    try:
        (course / "source" / "arrays").mkdir(parents=True)
        shutil.copy(SOURCE, course / "source" / "arrays" / "arrays.ipynb")
        for student, data in work.items():
            folder = course / "submitted" / student / "arrays"
            folder.mkdir(parents=True)
            (folder / "arrays.ipynb").write_bytes(data)
        students = ", ".join(f"dict(id={s!r})" for s in work)
        (course / "nbgrader_config.py").write_text(
            f"c = get_config()\nc.CourseDirectory.root = '.'\nc.CourseDirectory.db_assignments = [dict(name='arrays')]\n"
            f"c.CourseDirectory.db_students = [{students}]\nc.ExecutePreprocessor.timeout = {CELL_TIMEOUT}\n"
        )
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
        run = [sys.executable, "-m", "nbgrader"]
        subprocess.run([*run, "generate_assignment", "arrays", "--force"], cwd=course, env=env, check=True, capture_output=True)
        started = time.monotonic()
        subprocess.run([*run, "autograde", "arrays", "--force"], cwd=course, env=env, check=True, capture_output=True)
        elapsed = time.monotonic() - started
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            scores = {s: gradebook.find_submission("arrays", s).score for s in work}
        return elapsed, scores
    finally:
        shutil.rmtree(course, ignore_errors=True)


def sandboxed(work: dict[str, bytes], runtime: str, parallel: int) -> tuple[float, list[float], dict[str, float]]:
    """Our path; returns (seconds for all, per-submission latencies, scores)."""
    assignment = build_assignment({"arrays.ipynb": SOURCE.read_bytes()})
    factory = DockerSandboxFactory(docker.from_env(), SandboxLimits(runtime=runtime), worker=f"bench-{runtime}")
    budget = Budget(cell_timeout=CELL_TIMEOUT, notebook_timeout=120)

    def one(item: tuple[str, bytes]) -> tuple[str, float, float]:
        started = time.monotonic()
        result = grade_in_sandbox("bench", assignment, {"arrays.ipynb": item[1]}, factory, budget)
        return item[0], time.monotonic() - started, result.graded.report.score

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        results = list(pool.map(one, work.items()))
    return time.monotonic() - started, [r[1] for r in results], {r[0]: r[2] for r in results}


def row(name: str, count: int, elapsed: float, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"{name:<38} {count / elapsed * 60:>9.1f} {statistics.median(ordered):>9.2f} {p95:>9.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=12)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--runtimes", default="runc,runsc")
    args = parser.parse_args()
    try:
        import numpy  # noqa: F401  (the host kernel of stock nbgrader imports it)
    except ImportError:
        print("install the bench extras first: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2
    work = submissions(args.submissions)
    print(f"{len(work)} submissions of examples/course arrays (one times out after {CELL_TIMEOUT} s)\n")
    print(f"{'way of grading':<38} {'per min':>9} {'median s':>9} {'p95 s':>9}")
    elapsed, reference = stock_nbgrader(work)
    print(row("stock nbgrader autograde, serial, host", len(work), elapsed, [elapsed / len(work)] * len(work)))
    disagreements = 0
    for runtime in args.runtimes.split(","):
        for parallel in sorted({1, args.parallel}):
            elapsed, latencies, scores = sandboxed(work, runtime, parallel)
            print(row(f"sandbox per submission, {runtime}, x{parallel}", len(work), elapsed, latencies))
            disagreements += sum(scores[s] != reference[s] for s in work)
    print(f"\nscores agree with stock nbgrader: {'yes' if not disagreements else f'NO ({disagreements} differ)'}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
