"""The record as a fold of one learner's history: completion, credits, what it is bound to, strangers refused (records/compute.py)."""

from __future__ import annotations

import pytest

from records.compute import compute_record
from tests.records.histories import (
    PASSING_STATS,
    exam,
    grade,
    history,
    make_programme,
    outcome,
    record_of,
)


def test_completion_needs_every_required_course_and_enough_electives() -> None:
    required = (*PASSING_STATS, grade("ml", "hw1", 10), exam("ml", 50))
    without = record_of(*required)
    assert [c.passed for c in without.courses] == [True, True, False, False]
    assert (without.complete, without.credit_eligible, without.credits_earned) == (False, False, 8.0)
    done = record_of(*required, exam("nlp", 60))
    assert (done.complete, done.credit_eligible, done.credits_earned) == (True, True, 10.0)
    no_ml = record_of(*PASSING_STATS, exam("nlp", 60), grade("viz", "hw1", 10), grade("viz", "hw2", 10))
    assert (no_ml.credits_earned, no_ml.complete) == (8.0, False)


def test_a_record_is_bound_to_the_last_event_of_its_history() -> None:
    events = history(*PASSING_STATS)
    record = compute_record(make_programme(), "ada", events)
    assert (record.last_seq, record.history_hash) == (4, events[-1].hash)


def test_a_stranger_in_the_history_is_refused() -> None:
    with pytest.raises(ValueError, match="'bob'"):
        compute_record(make_programme(), "ada", history(grade("ml", "hw1", 1), learner="bob"))


def test_a_record_keeps_its_programmes_title() -> None:
    record = record_of(programme=make_programme())
    assert (record.programme_id, record.programme_title) == ("ds-micromasters", "Data Science MicroMasters")
    assert type(record).from_dict(record.to_dict()) == record


def test_an_empty_history_gives_an_empty_record() -> None:
    record = record_of()
    assert (record.complete, record.credits_earned, record.last_seq, record.frozen) == (False, 0.0, 0, False)
    assert outcome(record)["courses"][0]["grade"] is None
