"""The similarity check through its postings finds exactly what the whole pool's index finds, on both backends.

The reference is the check as it was before postings (``integrity.index.Index`` rebuilt
from every learner's latest submission at each arrival); the check under test reads only
postings and the prints of the submissions that share something with the new one.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from grader.assignment import Assignment
from grader.notebooks import dump_notebook
from integrity.answers import answers_of, template_of
from integrity.index import Index
from integrity.prints import SubmissionPrints, fingerprint
from service.integrity import KEEP_AT, check_submission, hashes_of, pool_of
from service.settings import Settings
from store import AssignmentRecord, Store
from tests.integrity.corpus import NOTEBOOK, cohort, disguise, honest, notebook, source_bytes

SETTINGS = Settings(data_dir="/nonexistent")
START = datetime(2026, 12, 4, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Arrival:
    learner: str
    notebook: Any
    minute: int


@dataclass(frozen=True)
class Checked:
    submission_id: str
    learner: str
    received_at: datetime
    prints: SubmissionPrints


def add_assignment(store: Store, trusted: Assignment) -> AssignmentRecord:
    return store.add_assignment(
        "ds-2026",
        "hw",
        {NOTEBOOK: source_bytes()},
        {n: dump_notebook(nb) for n, nb in trusted.releases.items()},
        {},
        [c.to_dict() for c in trusted.rubric.cells],
        trusted.rubric.version,
        trusted.rubric.max_score,
        None,
        [],
        False,
    )


def arrivals(seed: int) -> tuple[Assignment, list[Arrival]]:
    """A synthetic cohort in order, then resubmissions: a copy handed in late, a learner's earlier
    draft checked after their final version, and a learner resubmitting their own work."""
    trusted, learners = cohort(seed)
    release = trusted.releases[NOTEBOOK]
    rng = random.Random(seed)
    out = [Arrival(ln.name, ln.notebook, i * 10) for i, ln in enumerate(learners)]
    last = len(out) * 10
    copy_of_4 = notebook(release, disguise(honest(random.Random(4)), rng, ("rename",)), rng)
    out += [
        Arrival("honest3", learners[7].notebook, last + 1),  # honest3 now hands in honest7's work
        Arrival("copier2", notebook(release, honest(rng), rng), 5),  # an early draft checked late
        Arrival("honest5", learners[5].notebook, last + 2),  # the same work again: never a pair with itself
        Arrival("late", copy_of_4, last + 3),
        Arrival("late", learners[9].notebook, last + 4),  # replaces their first hand-in
        Arrival("latecomer", copy_of_4, last + 5),
    ]
    return trusted, out


def reference_pairs(trusted: Assignment, order: list[Checked]) -> dict[tuple[str, str], Any]:
    """What the check found before postings: the whole pool's index rebuilt at each arrival."""
    found: dict[tuple[str, str], Any] = {}
    for at, new in enumerate(order):
        seen = sorted(order[: at + 1], key=lambda c: (c.received_at, c.submission_id))
        latest = {c.learner: c for c in seen}
        if latest[new.learner] is not new:
            continue
        index = Index()
        for item in latest.values():
            if item.learner != new.learner:
                index.add(item.submission_id, item.prints)
        index.add(new.submission_id, new.prints)
        for other, report in index.similar(new.submission_id, KEEP_AT):
            found[(other, new.submission_id)] = json.loads(json.dumps(report.to_dict()))
    return found


def test_the_check_through_postings_finds_the_pairs_and_scores_of_the_whole_pool_index(
    store: Store,
) -> None:
    trusted, plan = arrivals(seed=1)
    record = add_assignment(store, trusted)
    template = template_of(trusted)
    order = []
    for arrival in plan:
        at = START + timedelta(minutes=arrival.minute)
        data = dump_notebook(arrival.notebook)
        submission = store.add_submission(record.id, arrival.learner, NOTEBOOK, data, at, True, 1.0)
        check_submission(store, SETTINGS, submission.id, trusted, at)
        prints = fingerprint(answers_of(trusted, {NOTEBOOK: arrival.notebook}), template)
        order.append(Checked(submission.id, arrival.learner, at, prints))
    expected = reference_pairs(trusted, order)
    stored = {(p.submission_a, p.submission_b): p.report for p in store.list_pairs()}
    assert len(expected) > 20  # copies, and the cohort down-weighting what most learners wrote
    assert sorted(stored) == sorted(expected)
    assert stored == expected


def test_each_learner_is_posted_once_by_their_latest_submission(store: Store) -> None:
    trusted, learners = cohort(2, originals=3, copies=0)
    record = add_assignment(store, trusted)
    template = template_of(trusted)
    ids = {}
    for learner, minute in (("ann", 10), ("ann", 20), ("ann", 15), ("bo", 30)):
        at = START + timedelta(minutes=minute)
        nb = learners[0].notebook
        submission = store.add_submission(record.id, learner, NOTEBOOK, dump_notebook(nb), at, True, 1.0)
        check_submission(store, SETTINGS, submission.id, trusted, at)
        ids[(learner, minute)] = submission.id
    pool = pool_of(store, record, trusted)
    prints = fingerprint(answers_of(trusted, {NOTEBOOK: learners[0].notebook}), template)
    holders = store.holders(pool, hashes_of(prints))
    assert store.pool_size(pool) == 2
    assert {tuple(h) for h in holders.values()} == {tuple(sorted([ids[("ann", 20)], ids[("bo", 30)]]))}
    assert set(store.frequencies(pool, hashes_of(prints)).values()) == {2}
    assert store.find_prints(ids[("ann", 15)]) is not None  # stored, but the later one speaks for ann
