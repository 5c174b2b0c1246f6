"""The index finds exactly the pairs a full comparison of everyone with everyone finds."""

from __future__ import annotations

from itertools import combinations

import pytest

from integrity.answers import answers_of, template_of
from integrity.compare import FLAG_AT, compare
from integrity.index import Index
from integrity.prints import fingerprint
from tests.integrity.corpus import NOTEBOOK, cohort


@pytest.mark.parametrize("keep_at", [0.1, FLAG_AT])
def test_arrivals_find_the_same_pairs_as_comparing_every_pair(keep_at: float) -> None:
    trusted, learners = cohort(7, originals=20, copies=8)
    template = template_of(trusted)
    prints = {ln.name: fingerprint(answers_of(trusted, {NOTEBOOK: ln.notebook}), template) for ln in learners}
    index = Index()
    for name, p in prints.items():
        index.add(name, p)
    found = {(other, new): report for new in prints for other, report in index.similar(new, keep_at)}
    everyone = {}
    for a, b in combinations(prints, 2):
        for first, second in ((a, b), (b, a)):
            report = compare(prints[first], prints[second], index.cohort)
            if report.score >= keep_at:
                everyone[(first, second)] = report
    assert found == everyone
    assert any(report.score >= FLAG_AT for report in found.values())
