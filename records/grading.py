"""One course's result: the counted attempts, the weighted grade, its rounding, letter and pass.

Arithmetic is in Decimal from each number's shortest text, because a grade of 84.45 built
in floats may be 84.44999... and round half up to the wrong side of a letter boundary.
Each assignment weighs the same (edX's grading policy does this too, and a listed
assignment with no grade has no max_score to add, so it counts as 0 of an equal share).
A course has no grade until its exam counts, when its exam weight is above 0: a learner
who has not sat the exam is "not yet graded", not failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from records.counting import Counted, attempt_id, attempt_key, parse_time
from records.history import canonical_json
from records.model import CourseResult, Event
from records.programme import Band, Course, Programme

VERIFIED = "verified"
SOURCE_FIELDS = (
    "submission_id",
    "attempt_id",
    "submission_sha256",
    "sandbox_image",
    "rubric_version",
    "judge",
)
PEOPLE_FIELDS = ("hand_graded", "author", "reason")  # who graded cells by hand, who changed the grade and why
# What a held or ignored event would have changed, so that a reader can see what waits.
UNCOUNTED_FIELDS = ("item", "score", "max_score", "state", "value", "reason", "author", *SOURCE_FIELDS)


def grade_course(programme: Programme, course: Course, counted: Counted) -> CourseResult:
    policies = programme.policies
    items = _assignment_items(course, counted)
    picks = {item: pick(_grades(counted, course, "assignment", item), policies.attempts) for item in items}
    shares = [fraction(chosen) if chosen else Decimal(0) for chosen in picks.values()]
    assignments = sum(shares, Decimal(0)) / len(shares) if shares else None
    exam_event = pick(_exam_candidates(course, counted), policies.attempts)
    exam = fraction(exam_event) if exam_event else None
    verified = exam_event is not None and _state(counted, exam_event) == VERIFIED
    override = counted.overrides.get(course.course)
    value = to_decimal(override.body["value"]) if override else _weighted(course, assignments, exam)
    grade = round_half_up(value, policies.rounding) if value is not None else None
    passed = (
        grade is not None
        and grade >= course.pass_threshold
        and (verified or not course.requires_verified_exam)
    )
    return CourseResult(
        course=course.course,
        required=course.required,
        credits=course.credits,
        assignments=float(assignments) if assignments is not None else None,
        exam=float(exam) if exam is not None else None,
        exam_verified=verified,
        grade=grade,
        letter=letter_for(grade, policies.letters),
        passed=passed,
        overridden=override is not None,
        sources=_sources(course, counted, picks, exam_event, override),
        rule=_rule(programme, course),
    )


def _assignment_items(course: Course, counted: Counted) -> list[str]:
    if course.assignments is not None:
        return list(course.assignments)
    return sorted({key[1] for key in counted.grades if key[0] == course.course and key[2] == "assignment"})


def _grades(counted: Counted, course: Course, kind: str, item: str | None) -> list[Event]:
    return [
        event
        for (name, grade_item, grade_kind, _), event in counted.grades.items()
        if name == course.course and grade_kind == kind and (item is None or grade_item == item)
    ]


def _exam_candidates(course: Course, counted: Counted) -> list[Event]:
    """Every attempt at the course's exam (any exam if it names none); only verified ones
    when the programme requires a verified exam, so a rejected attempt's score never counts."""
    attempts = _grades(counted, course, "exam", course.exam)
    if course.requires_verified_exam:
        return [event for event in attempts if _state(counted, event) == VERIFIED]
    return attempts


def _state(counted: Counted, grade: Event) -> str | None:
    found = counted.states.get(attempt_key(grade))
    return str(found.body.get("state")) if found else None


def pick(attempts: Sequence[Event], policy: str) -> Event | None:
    """The best or the latest (by ``received_at``) attempt; ties fall to the later, then the id."""
    if not attempts:
        return None
    if policy == "latest":
        return max(attempts, key=lambda event: (_received(event), attempt_id(event)))
    return max(attempts, key=lambda event: (fraction(event), _received(event), attempt_id(event)))


def _received(event: Event) -> Any:
    return parse_time(str(event.body.get("received_at") or event.at))


def fraction(event: Event) -> Decimal:
    maximum = to_decimal(event.body["max_score"])
    return to_decimal(event.body["score"]) / maximum if maximum > 0 else Decimal(0)


def _weighted(course: Course, assignments: Decimal | None, exam: Decimal | None) -> Decimal | None:
    if (course.weight_exam > 0 and exam is None) or (course.weight_exam == 0 and assignments is None):
        return None
    total = to_decimal(course.weight_assignments) * (assignments or Decimal(0))
    return 100 * (total + to_decimal(course.weight_exam) * (exam or Decimal(0)))


def letter_for(grade: float | None, bands: Sequence[Band]) -> str | None:
    if grade is None:
        return None
    return next((band.letter for band in bands if grade >= band.min), None)


def to_decimal(value: Any) -> Decimal:
    """Through str(): Decimal(0.1) is 0.1000000000000000055..., not the 0.1 that was meant."""
    return Decimal(str(value))


def round_half_up(value: Decimal, decimals: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _sources(
    course: Course,
    counted: Counted,
    picks: dict[str, Event | None],
    exam: Event | None,
    override: Event | None,
) -> tuple[dict[str, Any], ...]:
    found = [
        _grade_source("assignment", chosen, counted) if chosen else {"role": "missing", "item": item}
        for item, chosen in picks.items()
    ]
    if exam is not None:
        found.append(_grade_source("exam", exam, counted))
        state = counted.states.get(attempt_key(exam))
        if state is not None:
            found.append(_source("proctoring", state, counted, ("item", "attempt_id", "state", "reason")))
    if override is not None:
        found.append(_source("override", override, counted, ("value", "reason", "author")))
    mine = [e for e in (*counted.held, *counted.ignored) if e.body.get("course") == course.course]
    found += [
        _source("held" if e.kind != "override" else "ignored", e, counted, UNCOUNTED_FIELDS) for e in mine
    ]
    return tuple(sorted(found, key=_order))


def _grade_source(role: str, event: Event, counted: Counted) -> dict[str, Any]:
    return _source(
        role, event, counted, ("item", "score", "max_score", "received_at", *SOURCE_FIELDS, *PEOPLE_FIELDS)
    )


def _source(role: str, event: Event, counted: Counted, fields: tuple[str, ...]) -> dict[str, Any]:
    source = {
        "role": role,
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at,
        "actor": event.actor,
        "version": event.body.get("version", 0),
    }
    source.update({name: event.body[name] for name in fields if name in event.body})
    if event.seq in counted.conflicts:
        source["conflict"] = True  # another event had this version but a different body
    return source


ROLES = ("assignment", "missing", "exam", "proctoring", "override", "held", "ignored")


def _order(source: dict[str, Any]) -> tuple[int, str, bytes, int]:
    """By role and item, then by content, so that arrival decides nothing but the seq shown."""
    content = {key: value for key, value in source.items() if key != "seq"}
    return (
        ROLES.index(source["role"]),
        str(source.get("item", "")),
        canonical_json(content),
        source.get("seq", 0),
    )


def _rule(programme: Programme, course: Course) -> str:
    policies = programme.policies
    rule = (
        f"100 × ({course.weight_assignments:g} × assignments + {course.weight_exam:g} × exam), "
        f"{policies.attempts} attempt, rounded half up to {policies.rounding} decimals, pass at "
        f"{course.pass_threshold:g}"
    )
    return rule + (" with a verified exam" if course.requires_verified_exam else "")
