"""Grading speed, side by side in one run: stock nbgrader, one `docker run` each, and this service.

    bash bench/run.sh                       # sets up, builds the naive image, runs the default
    .venv/bin/python -m bench.speed --submissions 30 --runtimes runc,runsc

It builds N submissions (a mix of correct, wrong and erroring notebooks and one that times
out) and grades all of them (a) with stock ``nbgrader autograde`` on the host, (b) with one
``docker run`` per submission, (c) through the service over HTTP with real workers, on each
runtime, with and without the warm pool. It prints one Markdown table (graded per minute,
latency median and 95th percentile, overhead over the cells' own execution, peak memory per
sandbox and per worker) and checks that every way gives every submission stock nbgrader's
score; it exits 1 if any does not. ``--priority`` adds the queue-latency-under-load
measurement; ``--soak N`` grades N submissions through one configuration and prints the
worker's memory as it goes. Figures are only ever compared within one run.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.baselines import naive_docker, stock_nbgrader
from bench.sampling import process_tree_rss
from bench.service import end_to_end, priority_under_backlog, running
from bench.workload import HEADER, Outcome, disagreements, row, submissions


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpus = sum(1 for line in lines if line.startswith("processor"))
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "?")
    return f"{platform.node()}: {cpus} CPUs ({model}), Linux {platform.release()}, Python {platform.python_version()}"


def compare(args: argparse.Namespace) -> int:
    work = submissions(args.submissions)
    print(f"# grading speed, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n{machine()}")
    print(f"{len(work)} submissions of examples/course arrays (one times out after 5 s)\n")
    reference = stock_nbgrader(work)
    outcomes: list[Outcome] = [reference]
    print(HEADER)
    print(row(reference, reference.scores), flush=True)
    for runtime in args.runtimes.split(","):
        if not args.skip_naive:
            outcomes.append(naive_docker(work, runtime, parallel=args.workers))
            print(row(outcomes[-1], reference.scores), flush=True)
        for pool_size in (0, args.pool_size):
            outcome = end_to_end(work, runtime, pool_size, args.workers, args.redis_url, args.latency_samples)
            outcomes.append(outcome)
            print(row(outcome, reference.scores), flush=True)
    summarise(outcomes, reference)
    if args.priority:
        priority(args, work)
    wrong = sum(len(disagreements(o, reference.scores)) for o in outcomes)
    print(
        f"\nscores agree with stock nbgrader on every submission: {'yes' if not wrong else f'NO ({wrong} differ)'}"
    )
    return 1 if wrong else 0


def summarise(outcomes: list[Outcome], reference: Outcome) -> None:
    print()
    warm = {o.way.split(",")[1].strip(): o for o in outcomes if "warm pool" in o.way}
    for runtime, outcome in warm.items():
        print(
            f"{runtime} warm pool: {outcome.per_minute / reference.per_minute:.2f}x stock nbgrader's throughput, "
            f"overhead median {statistics.median(outcome.overheads) * 1000:.0f} ms"
        )
    if "runc" in warm and "runsc" in warm:
        runc, runsc = warm["runc"], warm["runsc"]
        print(
            f"gVisor vs runc (warm pool): throughput {runc.per_minute / runsc.per_minute:.2f}x slower, "
            f"overhead median {statistics.median(runsc.overheads) / statistics.median(runc.overheads):.2f}x"
        )


def priority(args: argparse.Namespace, work: dict[str, bytes]) -> None:
    """The exams queue behind a backlog: general workers only, then with an exam lane added.

    Each topology runs twice: first without assignment grades stepping aside for running
    exams (the baseline), then with it (the default).
    """
    runtime = args.runtimes.split(",")[0]
    print()
    for exam_lane in (False, True):
        for exam_yield in (False, True):
            result = priority_under_backlog(
                work,
                runtime,
                args.pool_size,
                args.workers,
                args.redis_url,
                args.backlog,
                args.probes,
                exam_lane,
                exam_yield,
            )
            report_priority(runtime, args, exam_lane, exam_yield, result)


def report_priority(
    runtime: str, args: argparse.Namespace, exam_lane: bool, exam_yield: bool, result: dict[str, Any]
) -> None:
    idle, loaded = statistics.median(result["idle"]), statistics.median(result["loaded"])
    topology = f"{args.workers} workers" + (
        " (nice 10) + an exam lane" if exam_lane else ", exams served first"
    )
    topology += ", assignments yield to exams" if exam_yield else ", no yielding"
    print(
        f"exams queue on {runtime}, warm pool, {topology}: median latency {idle * 1000:.0f} ms idle, "
        f"{loaded * 1000:.0f} ms behind a backlog of {args.backlog} assignment submissions "
        f"(queue depth at each probe: {result['depths']}): {loaded / idle:.2f}x idle",
        flush=True,
    )


def soak(args: argparse.Namespace) -> int:
    """Memory of one worker over a long run: RSS every ``--soak-step`` grades."""
    runtime = args.runtimes.split(",")[0]
    work = submissions(args.soak)
    print(f"soak: {len(work)} submissions, {runtime}, warm pool {args.pool_size}, 1 worker\n{machine()}")
    with running(runtime, args.pool_size, 1, args.redis_url) as service:
        assignment = service.upload_assignment()
        service.wait_pool_full()
        pid = service.worker_pids[0]
        print(f"graded {0:>5}: worker RSS {process_tree_rss(pid) / 2**20:.1f} MB", flush=True)
        keys = list(work)
        started = time.monotonic()
        for first in range(0, len(keys), args.soak_step):
            batch = keys[first : first + args.soak_step]
            ids = [service.submit(assignment, key, work[key]) for key in batch]
            service.wait_graded(ids, poll=0.2)
            rss = process_tree_rss(pid) / 2**20
            print(
                f"graded {first + len(batch):>5}: worker RSS {rss:.1f} MB "
                f"({(first + len(batch)) / (time.monotonic() - started) * 60:.0f}/min)",
                flush=True,
            )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--runtimes", default="runc,runsc")
    parser.add_argument("--workers", type=int, default=2, help="service workers, and docker runs at once")
    parser.add_argument("--pool-size", type=int, default=2, help="warm sandboxes per worker")
    parser.add_argument("--latency-samples", type=int, default=10, help="one-at-a-time submissions per way")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--skip-naive", action="store_true", help="leave out way (b)")
    parser.add_argument(
        "--priority", action="store_true", help="also measure the exams queue behind a backlog"
    )
    parser.add_argument("--priority-only", action="store_true", help="only that measurement")
    parser.add_argument("--backlog", type=int, default=500)
    parser.add_argument("--probes", type=int, default=5)
    parser.add_argument(
        "--soak", type=int, default=0, help="instead: grade this many and watch worker memory"
    )
    parser.add_argument("--soak-step", type=int, default=100)
    args = parser.parse_args()
    try:
        import numpy  # noqa: F401  (the host kernel of stock nbgrader imports it)
    except ImportError:
        print("install the bench extras first: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2
    if args.priority_only:
        priority(args, submissions(args.submissions))
        return 0
    return soak(args) if args.soak else compare(args)


if __name__ == "__main__":
    sys.exit(main())
