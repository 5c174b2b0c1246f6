"""The synthetic cohort: known copies found, honest pairs left alone, starter code never counts.

Done means (issue 24): recall at least 0.9 at precision at least 0.95, at the threshold the
review page flags from (``FLAG_AT``); pairs sharing only starter code below 0.1; the same
input always gives the same report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import combinations

import pytest

from integrity.answers import Template, answers_of, template_of
from integrity.cohort import Cohort, cohort_of
from integrity.compare import FLAG_AT, compare
from integrity.prints import fingerprint
from tests.conftest import ROOT
from tests.integrity.corpus import NOTEBOOK, SKELETON_BODY, assignment, cohort, filled, known_pairs

TRUSTED = assignment()
SKELETON = "def stats(data, limit):\n" + SKELETON_BODY
REPORT = """
import json, sys
from tests.integrity.test_corpus import corpus_reports
print(json.dumps(corpus_reports(*map(int, sys.argv[1:])), sort_keys=True))
"""


def corpus_reports(seed: int, originals: int = 30, copies: int = 16) -> dict[str, dict[str, object]]:
    """Every pair's report for the cohort of ``seed``, keyed ``a|b``."""
    trusted, learners = cohort(seed, originals, copies)
    template = template_of(trusted)
    prints = {ln.name: fingerprint(answers_of(trusted, {NOTEBOOK: ln.notebook}), template) for ln in learners}
    together = cohort_of(prints.values())
    return {
        f"{a.name}|{b.name}": compare(prints[a.name], prints[b.name], together).to_dict()
        for a, b in combinations(learners, 2)
    }


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_known_copies_are_found_at_the_flag_threshold(seed: int) -> None:
    _, learners = cohort(seed)
    known = known_pairs(learners)
    reports = corpus_reports(seed)
    flagged = {tuple(key.split("|")) for key, report in reports.items() if report["score"] >= FLAG_AT}
    found = flagged & known
    recall, precision = len(found) / len(known), len(found) / max(len(flagged), 1)
    assert len(known) >= 10 and len(reports) > 900
    assert recall >= 0.9, sorted(known - flagged)
    assert precision >= 0.95, sorted(flagged - known)


STARTER_ONLY = [
    (
        "    top = sorted(data, reverse=True)[:limit]\n    return top\n",
        "    while limit > 3:\n        limit = limit // 2\n    return {'n': limit}\n",
    ),
    ("    result.append(len(data))\n    return result\n", "    return max(data, default=limit) * 2\n"),
]


@pytest.mark.parametrize(("one", "two"), STARTER_ONLY)
def test_pairs_sharing_only_starter_code_score_below_a_tenth(one: str, two: str) -> None:
    a, b = (
        fingerprint(
            answers_of(TRUSTED, {NOTEBOOK: filled(TRUSTED, stats=SKELETON + own)}), template_of(TRUSTED)
        )
        for own in (one, two)
    )
    assert compare(a, b, Cohort(2)).score < 0.1


def test_without_subtracting_the_starter_the_same_pairs_would_look_alike() -> None:
    """The check above can fail: the skeleton alone makes these pairs look related."""
    nothing = Template(frozenset(), frozenset())
    scores = []
    for one, two in STARTER_ONLY:
        a, b = (
            fingerprint(answers_of(TRUSTED, {NOTEBOOK: filled(TRUSTED, stats=SKELETON + own)}), nothing)
            for own in (one, two)
        )
        scores.append(compare(a, b, Cohort(2)).score)
    assert min(scores) >= 0.1


def test_the_same_input_always_gives_the_same_report() -> None:
    """Here and in two other processes with other hash seeds: the same report, byte for byte."""
    # A cohort of 18 (153 pairs) goes through every step the full one does, in a fifth of the time.
    here = json.dumps(corpus_reports(5, 12, 6), sort_keys=True) + "\n"
    elsewhere = {
        subprocess.run(
            [sys.executable, "-c", REPORT, "5", "12", "6"],
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "123")
    }
    assert elsewhere == {here}
