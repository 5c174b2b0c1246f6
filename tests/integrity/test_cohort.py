"""Cohort weights: what two learners share weighs fully, what most of the cohort shares weighs nothing."""

from __future__ import annotations

from collections import Counter

import pytest

from integrity.cohort import HIGH, LOW, Cohort, cohort_of
from integrity.prints import CellPrints
from integrity.winnow import Print


def test_a_fingerprint_two_learners_share_weighs_one() -> None:
    assert Cohort(100, Counter({("k", 1): 2})).weight("k", 1) == 1.0


def test_weight_falls_from_low_to_high_share_of_the_cohort() -> None:
    cohort = Cohort(
        100, Counter({("k", 1): int(LOW * 100), ("k", 2): 35, ("k", 3): int(HIGH * 100), ("k", 4): 90})
    )
    assert [cohort.weight("k", h) for h in (1, 2, 3, 4)] == pytest.approx([1.0, 0.5, 0.0, 0.0])


def test_a_small_cohort_weighs_everything_fully() -> None:
    assert Cohort(3, Counter({("k", 1): 3})).weight("k", 1) == 1.0


def test_the_cohort_counts_learners_not_repeats_within_an_answer() -> None:
    cell = CellPrints("code", "", (Print(5, 1, 1), Print(5, 2, 2)))
    cohort = cohort_of([{"k": cell}, {"k": cell}, {"other": cell}])
    assert cohort.size == 3
    assert cohort.holders == Counter({("k", 5): 2, ("other", 5): 1})
