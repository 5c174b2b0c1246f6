"""Similarity checking at scale and on known copies, side by side with copydetect on the same corpus.

    .venv/bin/python -m bench.integrity --submissions 1000 --seeds 4

The corpus is the test suite's (``tests/integrity/corpus.py``): honest solutions generated
from seeds and disguised copies of some of them (renamed, reordered, commented, printed,
loops turned into comprehensions), with the pairs that are copies known.

Scale: ``--submissions`` notebooks of ten answer cells (eight coded problems, a short
answer everyone writes, a written answer; a tenth of the learners copy someone) indexed as
they would arrive: each one fingerprinted and compared with every earlier one, as the
similarity job does. Each tool runs in its own process, on the same notebooks built before
its clock starts, so the peak resident memory (``ru_maxrss``) of each is its own.
``service`` is the same through the real job's code (``service.integrity.check_submission``)
on a SQLite database, through its postings (``bench/integrity_store.py`` measures that path
per check, beside the whole-pool read it replaced).

Baseline: copydetect (PyPI, a winnowing detector after MOSS), given each notebook's code
cells as one script with the release's code as boilerplate, at its own defaults (noise
threshold 25 characters, guarantee 25, display threshold 0.33), its score of a pair the
higher of its two similarities. Quality: precision and recall on the known copies, ours at
the review page's flag threshold, copydetect at its display threshold and at the threshold
that suits it best on each cohort (an oracle no real run has).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

from grader.cells import source_text
from grader.notebooks import dump_notebook
from integrity.answers import answers_of, template_of
from integrity.compare import FLAG_AT
from integrity.index import Index
from integrity.prints import fingerprint
from tests.integrity.corpus import NOTEBOOK, Learner, cohort, known_pairs

PROBLEMS = ("stats", "filter", "count", "report", "clean", "rank", "window", "merge")  # + mean + explain = 10
SCALE_SEED = 2026


def scale_corpus(size: int) -> tuple[Any, list[Learner]]:
    copies = size // 10
    return cohort(SCALE_SEED, originals=size - copies, copies=copies, problems=PROBLEMS)


def index_ours(trusted: Any, learners: list[Learner]) -> int:
    """Each arrival fingerprinted, added to the index and compared with every earlier one."""
    template = template_of(trusted)
    index = Index()
    flagged = 0
    for learner in learners:
        index.add(learner.name, fingerprint(answers_of(trusted, {NOTEBOOK: learner.notebook}), template))
        flagged += len(index.similar(learner.name, FLAG_AT))
    return flagged


def script_of(notebook: Any) -> str:
    return "\n\n".join(source_text(c) for c in notebook.cells if c.get("cell_type") == "code")


def copydetect_scores(trusted: Any, learners: list[Learner]) -> dict[tuple[str, str], float]:
    from copydetect import CodeFingerprint, compare_files, defaults

    k, window = defaults.NOISE_THRESHOLD, defaults.GUARANTEE_THRESHOLD - defaults.NOISE_THRESHOLD + 1
    boilerplate = CodeFingerprint(
        "release.py", k, window, fp=io.StringIO(script_of(trusted.releases[NOTEBOOK]))
    )
    prints = {
        ln.name: CodeFingerprint(
            f"{ln.name}.py",
            k,
            window,
            boilerplate=list(boilerplate.hashes),
            fp=io.StringIO(script_of(ln.notebook)),
        )
        for ln in learners
    }
    scores = {}
    for a, b in combinations(learners, 2):
        _, (one, two), _ = compare_files(prints[a.name], prints[b.name])
        scores[(a.name, b.name)] = float(max(one, two))
    return scores


def index_service(trusted: Any, learners: list[Learner]) -> int:
    from service.integrity import check_submission
    from service.settings import Settings
    from store import Store
    from tests.integrity.corpus import source_bytes

    with tempfile.TemporaryDirectory() as folder:
        store = Store.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        store.migrate()
        releases = {n: dump_notebook(nb) for n, nb in trusted.releases.items()}
        record = store.add_assignment(
            "bench",
            "hw",
            {NOTEBOOK: source_bytes(PROBLEMS)},
            releases,
            {},
            [c.to_dict() for c in trusted.rubric.cells],
            trusted.rubric.version,
            trusted.rubric.max_score,
            None,
            [],
            False,
        )
        start = datetime(2026, 12, 4, tzinfo=UTC)
        settings = Settings(data_dir=folder)
        for i, learner in enumerate(learners):
            at = start + timedelta(seconds=i)
            sub = store.add_submission(
                record.id, learner.name, NOTEBOOK, dump_notebook(learner.notebook), at, True, 1.0
            )
            check_submission(store, settings, sub.id, trusted, at)
        found = sum(1 for p in store.list_pairs() if p.score >= FLAG_AT)
        store.dispose()
    return found


def child(tool: str, size: int) -> None:
    """One tool on the scale corpus; prints its figures as one JSON line."""
    trusted, learners = scale_corpus(size)
    started = time.perf_counter()
    if tool == "ours":
        flagged = index_ours(trusted, learners)
    elif tool == "service":
        flagged = index_service(trusted, learners)
    else:
        flagged = sum(1 for s in copydetect_scores(trusted, learners).values() if s >= 0.33)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    known = len(known_pairs(learners))
    print(
        json.dumps({"tool": tool, "seconds": seconds, "peak_mib": peak, "flagged": flagged, "known": known})
    )


def quality(seeds: int) -> list[dict[str, Any]]:
    rows = []
    for seed in range(1, seeds + 1):
        trusted, learners = cohort(seed)
        known = known_pairs(learners)
        template = template_of(trusted)
        prints = {
            ln.name: fingerprint(answers_of(trusted, {NOTEBOOK: ln.notebook}), template) for ln in learners
        }
        index = Index()
        for name, p in prints.items():
            index.add(name, p)
        order = {ln.name: i for i, ln in enumerate(learners)}  # known pairs are in arrival order
        ours = {
            (min(name, other, key=order.__getitem__), max(name, other, key=order.__getitem__))
            for name in prints
            for other, _ in index.similar(name, FLAG_AT)
        }
        theirs = copydetect_scores(trusted, learners)
        at_default = {pair for pair, s in theirs.items() if s >= 0.33}
        best = max(
            (
                precision_recall(known, {p for p, s in theirs.items() if s >= t})
                for t in sorted(set(theirs.values()))
                if t > 0
            ),
            key=lambda pr: f1(*pr),
        )
        rows.append(
            {
                "seed": seed,
                "pairs": len(theirs),
                "known": len(known),
                "ours": precision_recall(known, ours),
                "copydetect": precision_recall(known, at_default),
                "copydetect_best": best,
            }
        )
    return rows


def precision_recall(known: set[tuple[str, str]], flagged: set[tuple[str, str]]) -> tuple[float, float]:
    hits = len(known & flagged)
    return (hits / len(flagged) if flagged else 1.0, hits / len(known) if known else 1.0)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def run_child(tool: str, size: int, module: str = "bench.integrity") -> dict[str, Any]:
    """``module --child tool`` in a fresh process (its own peak memory); the figures it printed last."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--child", tool, "--submissions", str(size)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--tools", default="ours,copydetect,service")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.submissions)
        return
    print(
        f"Quality on the synthetic cohorts (30 honest learners, 16 disguised copies each); ours flags at {FLAG_AT}"
    )
    print(
        f"{'seed':>4} {'pairs':>6} {'copies':>6} | {'ours P':>6} {'ours R':>6} | {'cd P':>6} {'cd R':>6} | {'cd best P':>9} {'cd best R':>9}"
    )
    for row in quality(args.seeds):
        print(
            f"{row['seed']:>4} {row['pairs']:>6} {row['known']:>6} | {row['ours'][0]:>6.3f} {row['ours'][1]:>6.3f} | "
            f"{row['copydetect'][0]:>6.3f} {row['copydetect'][1]:>6.3f} | {row['copydetect_best'][0]:>9.3f} {row['copydetect_best'][1]:>9.3f}"
        )
    print(
        f"\nScale: {args.submissions} submissions x 10 answer cells, indexed as they arrive (each against every earlier one)"
    )
    print(f"{'tool':>10} {'seconds':>8} {'peak MiB':>9} {'flagged':>8} {'copies':>7}")
    for tool in args.tools.split(","):
        r = run_child(tool, args.submissions)
        print(f"{r['tool']:>10} {r['seconds']:>8.1f} {r['peak_mib']:>9.0f} {r['flagged']:>8} {r['known']:>7}")


if __name__ == "__main__":
    main()
