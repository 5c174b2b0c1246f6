"""Properties of the fold over any history: it replays, it ignores arrival order, it keeps the newest.

Histories are drawn from a small world (four courses, two assignments, two exam attempts,
three versions, times either side of a freeze) so that keys collide often: the interesting
cases are two versions of one grade, two attempts at one exam, a review that changes.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from records.compute import compute_record
from records.history import verify_history
from records.model import Record, event_from_dict, event_to_dict
from records.programme import Programme
from tests.properties import examples
from tests.records.histories import (
    AFTER,
    BEFORE,
    FREEZE_AT,
    LEARNER,
    exam,
    freeze,
    grade,
    history,
    make_programme,
    outcome,
    override,
    proctoring,
)

PROGRAMME = make_programme()
PROGRAMMES = st.sampled_from([PROGRAMME, make_programme(attempts="latest", rounding=0, freeze_at=AFTER)])
COURSES = ("stats", "ml", "viz", "nlp")
RECEIVED = {
    "s1": "2026-03-01T10:00:00+00:00",
    "s2": "2026-03-02T10:00:00+00:00",
    "s3": "2026-03-02T10:00:00+00:00",
    "a1": "2026-04-01T10:00:00+00:00",
    "a2": "2026-04-02T10:00:00+00:00",
}
TIMES = st.sampled_from([BEFORE, "2026-05-31T23:59:59+00:00", FREEZE_AT, "2026-06-01T00:00:01+01:00", AFTER])
VERSIONS = st.integers(1, 3)
REASONS = st.sampled_from([None, "rubric error fixed"])


def _with(change: dict[str, Any], when: str, actor: str, reason: str | None = None) -> dict[str, Any]:
    if reason is not None:
        change["body"]["reason"] = reason
    return {**change, "at": when, "actor": actor}


assignment_grades = st.builds(
    lambda course, item, sub, score, version: grade(
        course, item, score / 2, submission=sub, version=version, received_at=RECEIVED[sub]
    ),
    st.sampled_from(COURSES),
    st.sampled_from(["hw1", "hw2"]),
    st.sampled_from(["s1", "s2", "s3"]),
    st.integers(0, 20),
    VERSIONS,
)
exam_grades = st.builds(
    lambda course, attempt, score, version: exam(
        course, score, attempt, version=version, received_at=RECEIVED[attempt]
    ),
    st.sampled_from(COURSES),
    st.sampled_from(["a1", "a2"]),
    st.integers(0, 100),
    VERSIONS,
)
reviews = st.builds(
    proctoring,
    st.sampled_from(COURSES),
    st.sampled_from(["verified", "rejected", "second_review"]),
    st.sampled_from(["a1", "a2"]),
    VERSIONS,
)
overrides = st.builds(
    lambda course, value, version, reason: override(course, value / 2, version, reason=reason),
    st.sampled_from(COURSES),
    st.integers(0, 200),
    VERSIONS,
    st.sampled_from(["", "appeal upheld"]),
)
changes_ = st.one_of(assignment_grades, exam_grades, reviews, overrides)
unfrozen = st.builds(_with, changes_, TIMES, st.sampled_from(["worker", "prof-lee"]), REASONS)
anything = st.one_of(
    unfrozen, unfrozen, unfrozen, st.builds(_with, st.builds(freeze), TIMES, st.just("registrar"))
)
histories = st.lists(anything, max_size=25)


def record(changes: list[dict[str, Any]], programme: Programme = PROGRAMME) -> Record:
    return compute_record(programme, LEARNER, history(*changes))


@given(histories, PROGRAMMES)
def test_recomputing_from_the_stored_history_gives_the_stored_record(
    changes: list[dict[str, Any]], programme: Programme
) -> None:
    events = history(*changes)
    computed = compute_record(programme, LEARNER, events)
    stored = Record.from_dict(json.loads(json.dumps(computed.to_dict())))
    replayed = tuple(event_from_dict(json.loads(json.dumps(event_to_dict(event)))) for event in events)
    assert stored == computed
    assert verify_history(replayed) is None
    assert compute_record(programme, LEARNER, replayed) == stored


@settings(max_examples=examples(300), deadline=None)  # a loaded CI machine is slow, not wrong
@given(histories.flatmap(lambda changes: st.tuples(st.just(changes), st.permutations(changes))), PROGRAMMES)
def test_the_order_of_arrival_does_not_change_the_record(
    drawn: tuple[list[Any], list[Any]], programme: Programme
) -> None:
    changes, arrived = drawn
    assert outcome(record(arrived, programme)) == outcome(record(changes, programme))


@given(st.lists(unfrozen, max_size=25), st.data())
def test_an_older_grade_arriving_late_never_replaces_a_newer_one(
    changes: list[Any], data: st.DataObject
) -> None:
    grades = [change for change in changes if change["kind"] == "grade"]
    if not grades:
        grades = [{**grade("ml", "hw1", 7, version=2), "at": BEFORE}]
        changes = [*changes, *grades]
    newer = data.draw(st.sampled_from(grades))
    body = dict(newer["body"])
    body["version"] = data.draw(st.integers(0, body["version"] - 1))
    body["score"] = data.draw(st.integers(0, 10))
    late = {**newer, "body": body, "at": data.draw(TIMES)}
    assert outcome(record([*changes, late])) == outcome(record(changes))


@given(
    histories,
    st.one_of(assignment_grades, exam_grades, reviews),
    st.sampled_from(["2026-06-01T00:00:01Z", AFTER]),
)
def test_a_freeze_holds_every_unexplained_change_after_it(changes: list[Any], change: Any, when: str) -> None:
    frozen = [*changes, {**freeze(), "at": FREEZE_AT}]
    before, after = record(frozen), record([*frozen, {**change, "at": when}])
    assert after.frozen
    assert _numbers(after) == _numbers(before)
    held = [
        s for c in after.courses for s in c.sources if s["role"] == "held" and s["seq"] == len(frozen) + 1
    ]
    assert len(held) == 1


def _numbers(result: Record) -> dict[str, Any]:
    data = outcome(result)
    for course in data["courses"]:
        del course["sources"]
    return data
