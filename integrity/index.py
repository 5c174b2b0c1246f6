"""A pool's submissions held for comparison: who holds each fingerprint, and the pairs worth a report.

Why an index: comparing each arrival with every earlier submission in full is quadratic in
the pool and spends nearly all its time on pairs that share little. The index keeps, for
each fingerprint, the submissions holding it, so an arrival adds up what it shares with
each of them in one pass over its own fingerprints (those the cohort weighs at 0 skipped).
Only a submission whose shared weight could reach the threshold is compared in full; the
bound is exact (a score is shared weight over the union's, and the union weighs at least
the arrival's own answers to the questions both answered), so nothing that would reach the
threshold is skipped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping

from integrity.answers import CODE
from integrity.cohort import Cohort
from integrity.compare import PairReport, compare
from integrity.prints import SubmissionPrints


class Index:
    def __init__(self) -> None:
        self.prints: dict[str, SubmissionPrints] = {}
        self.holders: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.counts: Counter[tuple[str, int]] = Counter()

    def add(self, submission_id: str, prints: SubmissionPrints) -> None:
        self.prints[submission_id] = prints
        for key, cell in prints.items():
            for digest in cell.hashes:
                self.holders[(key, digest)].append(submission_id)
                self.counts[(key, digest)] += 1

    @property
    def cohort(self) -> Cohort:
        return Cohort(len(self.prints), self.counts)

    def similar(self, submission_id: str, keep_at: float) -> list[tuple[str, PairReport]]:
        """The indexed submissions whose pair with ``submission_id`` scores at least ``keep_at``, by id."""
        new, cohort = self.prints[submission_id], self.cohort
        own, shared = tally(new, submission_id, self.holders, cohort)
        found = []
        for other in sorted(shared):
            if could_reach(new, self.prints[other], own, shared[other], keep_at):
                report = compare(self.prints[other], new, cohort)
                if report.score >= keep_at:
                    found.append((other, report))
        return found


def tally(
    new: SubmissionPrints,
    submission_id: str,
    holders: Mapping[tuple[str, int], Collection[str]],
    cohort: Cohort,
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The new submission's own weight per answer, and what each other holder shares with it per answer.

    ``holders`` need only hold the new submission's fingerprints, so a store can answer it
    from its postings without reading any other submission's prints.
    """
    own: dict[str, float] = {}
    shared: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key, cell in new.items():
        own[key] = 0.0
        for digest in cell.hashes:
            weight = cohort.weight(key, digest)
            if weight <= 0:
                continue
            own[key] += weight
            for other in holders.get((key, digest), ()):
                if other != submission_id:
                    shared[other][key] += weight
    return own, shared


def might_reach(
    new: SubmissionPrints, own: dict[str, float], shared: dict[str, float], keep_at: float
) -> bool:
    """``could_reach`` without the other's prints: a looser bound, so nothing it rejects could reach.

    It counts only the answers the two share something in (the other surely answered those),
    so its denominator is at most ``could_reach``'s and its ratio at least as high.
    """
    for code in (True, False):
        keys = [k for k, w in shared.items() if w > 0 and (new[k].kind == CODE) is code]
        mass = sum(own[k] for k in keys)
        if mass > 0 and sum(shared[k] for k in keys) / mass >= keep_at:
            return True
    return False


def could_reach(
    new: SubmissionPrints,
    other: SubmissionPrints,
    own: dict[str, float],
    shared: dict[str, float],
    keep_at: float,
) -> bool:
    """Whether the pair's score could reach ``keep_at``: an upper bound, exact enough to skip most pairs."""
    for code in (True, False):
        keys = [k for k in new.keys() & other.keys() if (new[k].kind == CODE) is code]
        mass = sum(own[k] for k in keys)
        if mass > 0 and sum(shared.get(k, 0.0) for k in keys) / mass >= keep_at:
            return True
    return False
