"""Recomputing credit after a late-policy change for a whole course, with and without deadline ledgers.

    .venv/bin/python -m bench.ledger_recompute --learners 10000 --items 20 --repeats 3

The course has ``items`` assignments (due a week apart, 80% credit for a day late, 0 after
three) and one graded submission per learner and assignment, received around the deadline
(seeded). Every learner has the course-wide budget of three late days; one in ten has an
extension on two assignments, one in twenty an accommodation of 1.5x, one in five spent late
days. The new policy keeps 50% after a day and 0 after two.

Side by side in one run: the baseline, today's planning of a terms change before ledgers
(``under_policy``: each submission judged by the policy alone), and the ledger planning (fold
every learner's ledger, then judge each submission with it), which is what the service now
does in the store's transaction; the fold alone is shown too. Times are the median of the
repeats, in seconds, for the whole course; both plans are pure (no database).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from grader.deadline import judge
from grader.late import LatePolicy, LateStep
from grader.late_credit import StoredWork, credit_changes, under_policy
from grader.ledger import LedgerEntry
from grader.ledger_change import EVERYONE, ledgers_of, under_ledgers
from grader.stored_report import StoredReport

START = datetime(2030, 1, 6, 23, 59, tzinfo=UTC)
DAY = timedelta(days=1)


def policy(due: datetime, first: float, cutoff_days: int) -> LatePolicy:
    return LatePolicy(due, (LateStep(due, first), LateStep(due + cutoff_days * DAY, 0.0)))


def make_entries(rng: random.Random, learners: int, items: list[str]) -> list[tuple[str, LedgerEntry]]:
    entries = [(EVERYONE, LedgerEntry(1, "policy", START, "prof", "three late days", days=3))]
    seq = 1
    for n in range(learners):
        learner = f"learner{n:05d}"
        roll = rng.random()
        if roll < 0.1:
            for item in rng.sample(items, 2):
                seq += 1
                extra = timedelta(hours=rng.choice([24, 48, 72]))
                entries.append(
                    (learner, LedgerEntry(seq, "extension", START, "prof", "ill", item, extra=extra))
                )
        elif roll < 0.15:
            seq += 1
            entry = LedgerEntry(
                seq, "accommodation", START, "prof", "plan", multiplier=1.5, applies_to=("extensions",)
            )
            entries.append((learner, entry))
        elif roll < 0.35:
            seq += 1
            entries.append(
                (learner, LedgerEntry(seq, "late_days", START, learner, "spent", rng.choice(items), days=1))
            )
    return entries


def make_work(
    rng: random.Random, learners: int, policies: dict[str, LatePolicy], entries: list[tuple[str, LedgerEntry]]
) -> dict[str, list[StoredWork]]:
    """Each learner's graded submission per assignment, with the lateness stored at receipt."""
    names = [f"learner{n:05d}" for n in range(learners)]
    ledgers = ledgers_of(entries, names)
    work: dict[str, list[StoredWork]] = {}
    for item, terms in policies.items():
        assert terms.due is not None
        stored = []
        for name in names:
            received = terms.due + timedelta(hours=rng.gauss(-6, 30))
            verdict = judge(ledgers[name], item, terms, received)
            report = StoredReport(
                score=10.0 * verdict.credit,
                max_score=10.0,
                raw_score=10.0,
                on_time=verdict.on_time,
                late_credit=verdict.credit,
            )
            stored.append(
                StoredWork(
                    f"{item}-{name}", name, received, "graded", verdict.on_time, verdict.credit, report
                )
            )
        work[item] = stored
    return work


def timed(step: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(23)
    items = [f"hw{i:02d}" for i in range(args.items)]
    old = {item: policy(START + i * 7 * DAY, 80.0, 3) for i, item in enumerate(items)}
    new = {item: policy(terms.due or START, 50.0, 2) for item, terms in old.items()}
    entries = make_entries(rng, args.learners, items)
    work = make_work(rng, args.learners, old, entries)
    learners = sorted({w.learner for stored in work.values() for w in stored})

    def baseline() -> int:
        return sum(len(credit_changes(under_policy(new[item]), work[item])) for item in items)

    def fold() -> int:
        return len(ledgers_of(entries, [*learners, EVERYONE]))

    def with_ledgers() -> int:
        ledgers = ledgers_of(entries, [*learners, EVERYONE])
        return sum(len(credit_changes(under_ledgers(new[item], item, ledgers), work[item])) for item in items)

    submissions = sum(len(stored) for stored in work.values())
    print(
        f"{args.learners} learners x {args.items} assignments = {submissions} graded submissions, {len(entries)} ledger entries"
    )
    print(f"{'plan of a late-policy change':<44} {'seconds':>8} {'per submission':>15} {'credit moved':>13}")
    for name, step in (
        ("baseline: policy alone (before ledgers)", baseline),
        ("fold every learner's ledger only", fold),
        ("ledgers: fold + judge each submission", with_ledgers),
    ):
        seconds, count = timed(step, args.repeats)
        moved = count if step is not fold else "-"
        print(f"{name:<44} {seconds:>8.2f} {seconds / submissions * 1e6:>12.1f} us {moved!s:>13}")


if __name__ == "__main__":
    main()
