"""The similarity job's database path at scale: postings against reading the whole pool, side by side.

    .venv/bin/python -m bench.integrity_store --submissions 1000 --baseline 300

Both run the real job's steps on a SQLite file, over the scale corpus of ``bench.integrity``
(notebooks of ten answer cells, a tenth of the learners copying someone), arriving one by
one: ``postings`` is ``service.integrity.check_submission`` as it is; ``whole pool`` is the
check as it was before postings (store the prints, read and decode every print of the pool,
rebuild the index, compare), kept here as the baseline. Each runs in its own process, so
the peak resident memory (``ru_maxrss``) is its own; the notebooks are built before the
clock starts. The quadratic sign is the time per check growing with the pool: it is
printed over the first and the last 50 checks of each run, and over the checks at the
baseline's last pool size for both. The whole-pool run stops at ``--baseline`` submissions
(at 1,000 it did not finish in 31 minutes).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.integrity import PROBLEMS, run_child, scale_corpus
from grader.assignment import Assignment
from grader.notebooks import dump_notebook
from integrity.index import Index
from integrity.prints import from_dict
from service.integrity import KEEP_AT, check_submission, index_submission, latest_per_learner
from service.settings import Settings
from store import Store
from store.integrity import NewPair
from tests.integrity.corpus import NOTEBOOK, source_bytes

CHILD = "bench.integrity_store"
WINDOW = 50  # checks averaged for the time per check at the start and at the end
Check = Callable[[Store, Settings, str, Assignment, datetime], int]


def check_whole_pool(
    store: Store, settings: Settings, submission_id: str, trusted: Assignment, now: datetime
) -> int:
    """The check before postings (the baseline): every print of the pool read back at each arrival."""
    found = index_submission(store, settings, submission_id, trusted, now)
    submission, pool, prints = found.submission, found.pool, found.prints
    latest = latest_per_learner(store.pool_prints(pool))
    if latest[submission.learner].submission_id != submission_id:
        return 0
    index, learners = Index(), {}
    for item in latest.values():
        if item.learner != submission.learner:
            index.add(item.submission_id, from_dict(item.prints))
            learners[item.submission_id] = item.learner
    index.add(submission_id, prints)
    pairs = [
        NewPair(other, submission_id, learners[other], submission.learner, report.to_dict())
        for other, report in index.similar(submission_id, KEEP_AT)
    ]
    return store.add_pairs(pool, found.record.course, pairs, now)


def run(check: Check, size: int) -> dict[str, Any]:
    trusted, learners = scale_corpus(size)
    learners = learners[:size]
    uploads = [(ln.name, dump_notebook(ln.notebook)) for ln in learners]
    with tempfile.TemporaryDirectory() as folder:
        store = Store.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        store.migrate()
        record = store.add_assignment(
            "bench",
            "hw",
            {NOTEBOOK: source_bytes(PROBLEMS)},
            {n: dump_notebook(nb) for n, nb in trusted.releases.items()},
            {},
            [c.to_dict() for c in trusted.rubric.cells],
            trusted.rubric.version,
            trusted.rubric.max_score,
            None,
            [],
            False,
        )
        settings, start = Settings(data_dir=folder), datetime(2026, 12, 4, tzinfo=UTC)
        times = []
        began = time.perf_counter()
        for i, (name, data) in enumerate(uploads):
            at = start + timedelta(seconds=i)
            sub = store.add_submission(record.id, name, NOTEBOOK, data, at, True, 1.0)
            before = time.perf_counter()
            check(store, settings, sub.id, trusted, at)
            times.append(time.perf_counter() - before)
        seconds = time.perf_counter() - began
        pairs = {(p.submission_a, p.submission_b, p.score) for p in store.list_pairs()}
        store.dispose()
    return {
        "seconds": seconds,
        "times_ms": [round(t * 1000, 2) for t in times],
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pairs": len(pairs),
    }


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=300, help="submissions the whole-pool run checks")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        check = check_submission if args.child == "postings" else check_whole_pool
        print(json.dumps(run(check, args.submissions)))
        return
    runs = {
        "postings": (args.submissions, run_child("postings", args.submissions, CHILD)),
        "whole pool": (args.baseline, run_child("whole", args.baseline, CHILD)),
    }
    at = args.baseline
    print(
        f"{args.submissions} submissions x 10 answer cells, checked on arrival on SQLite (whole pool: first {at})"
    )
    print(
        f"{'path':>10} {'checked':>7} {'total s':>8} {'ms/check first 50':>18} "
        f"{f'ms/check {at - WINDOW + 1}-{at}':>20} {'ms/check last 50':>17} {'peak MiB':>9} {'pairs':>6}"
    )
    for name, (size, r) in runs.items():
        t = r["times_ms"]
        print(
            f"{name:>10} {size:>7} {r['seconds']:>8.1f} {mean(t[:WINDOW]):>18.1f} "
            f"{mean(t[at - WINDOW : at]):>20.1f} {mean(t[-WINDOW:]):>17.1f} {r['peak_mib']:>9.0f} {r['pairs']:>6}"
        )


if __name__ == "__main__":
    main()
