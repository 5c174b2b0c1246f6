"""The record as a pure fold of the history: count the events, grade each course, add up.

``compute_record`` reads nothing but its arguments, so the stored record can always be
recomputed from the history to check it, and it does not depend on the order in which
events arrived (``records/counting.py`` says why).
"""

from __future__ import annotations

from collections.abc import Iterable

from records.counting import count_events, parse_time
from records.grading import grade_course
from records.history import GENESIS
from records.model import CourseResult, Event, Record
from records.programme import Programme


def compute_record(programme: Programme, learner: str, events: Iterable[Event]) -> Record:
    """The learner's record, from their history alone; a stranger's event is a caller's bug."""
    history = tuple(events)
    strangers = sorted({event.learner for event in history if event.learner != learner})
    if strangers:
        raise ValueError(f"the history of {learner!r} holds events of {', '.join(map(repr, strangers))}")
    counted = count_events(programme, history)
    courses = tuple(grade_course(programme, course, counted) for course in programme.courses)
    complete = is_complete(programme, courses)
    last = max(history, key=lambda event: event.seq, default=None)
    return Record(
        programme_id=programme.id,
        programme_title=programme.title,
        learner=learner,
        courses=courses,
        credits_earned=float(sum(result.credits for result in courses if result.passed)),
        complete=complete,
        credit_eligible=complete,  # overrides need a reason and an author, so none is unexplained
        frozen=is_frozen(programme, history),
        last_seq=last.seq if last else 0,
        history_hash=last.hash if last else GENESIS,
    )


def is_complete(programme: Programme, courses: tuple[CourseResult, ...]) -> bool:
    """Every required course passed, and at least ``electives_needed`` electives."""
    required = all(result.passed for result in courses if result.required)
    electives = sum(result.passed for result in courses if not result.required)
    return required and electives >= programme.electives_needed


def is_frozen(programme: Programme, history: tuple[Event, ...]) -> bool:
    """Frozen once a freeze event exists or the history has reached ``freeze_at``; without a
    clock, "now" is the latest time the history has seen."""
    if any(event.kind == "freeze" for event in history):
        return True
    freeze_at = programme.policies.freeze_at
    return freeze_at is not None and any(parse_time(event.at) >= freeze_at for event in history)
