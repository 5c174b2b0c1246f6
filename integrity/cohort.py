"""What a cohort shares: how many learners' answers hold each fingerprint, and what it then weighs.

Why: short correct answers look alike (``return sum(xs) / len(xs)``), and a fingerprint
most of the cohort holds says nothing about copying. A fingerprint held by two learners
weighs 1; from ``LOW`` of the cohort its weight falls in a straight line to 0 at ``HIGH``
(most of the cohort), so what everyone wrote stops counting. A cohort smaller than
``MIN_SIZE`` weighs everything 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from integrity.prints import SubmissionPrints

LOW = 0.2  # share of the cohort from which a fingerprint starts to weigh less
HIGH = 0.5  # share of the cohort at which it weighs nothing: "most of the cohort"
MIN_SIZE = 10  # below this a share says little (three copiers are all of a cohort of three)


@dataclass(frozen=True)
class Cohort:
    """``size`` learners; ``holders[(answer key, hash)]`` is how many of them hold that fingerprint."""

    size: int
    holders: Mapping[tuple[str, int], int] = field(default_factory=Counter)

    def weight(self, key: str, digest: int) -> float:
        held = self.holders.get((key, digest), 0)
        if held <= 2 or self.size < MIN_SIZE:
            return 1.0
        share = held / self.size
        if share <= LOW:
            return 1.0
        if share >= HIGH:
            return 0.0
        return (HIGH - share) / (HIGH - LOW)


def cohort_of(submissions: Iterable[SubmissionPrints]) -> Cohort:
    """The cohort of these submissions, one per learner (the caller picks which of a learner's)."""
    holders: Counter[tuple[str, int]] = Counter()
    size = 0
    for prints in submissions:
        size += 1
        holders.update((key, digest) for key, cell in prints.items() for digest in cell.hashes)
    return Cohort(size, holders)
