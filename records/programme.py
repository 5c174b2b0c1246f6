"""The programme spec: its courses, how a course grade is made, and the policies that apply.

``parse_programme`` turns YAML or JSON into frozen records, or refuses it with
``InvalidProgramme`` listing every problem, each naming its file and field
(``programme.yaml: courses[1].weights: ...``), because a wrong weight or threshold is found
out only when credit is granted, or refused, to a real learner. The field readers are those
of ``specs/fields.py`` so that both specs report problems the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from grader.errors import InvalidProgramme, InvalidSpec
from specs.document import JSON_SUFFIX, YAML_SUFFIXES, decode_spec
from specs.fields import (
    Problems,
    Where,
    key_problems,
    read_bool,
    read_choice,
    read_int,
    read_list,
    read_mapping,
    read_number,
    read_text,
    read_time,
)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ATTEMPT_POLICIES = ("best", "latest")
MAX_DECIMALS = 4
WEIGHT_TOLERANCE = 1e-9  # 0.1 + 0.2 must count as 0.3


@dataclass(frozen=True)
class Band:
    """A letter given to every grade at or above ``min`` (and below the band before it)."""

    letter: str
    min: float


@dataclass(frozen=True)
class Policies:
    attempts: str = "best"  # "best" or "latest" attempt of one item counts
    rounding: int = 1  # decimals kept in a course grade, rounded half up
    letters: tuple[Band, ...] = ()  # descending by min; no bands means no letters
    freeze_at: datetime | None = None  # later changes need an instructor's reason


@dataclass(frozen=True)
class Course:
    course: str
    required: bool
    credits: float
    weight_assignments: float
    weight_exam: float
    pass_threshold: float
    requires_verified_exam: bool = False
    exam: str | None = None  # None: every exam of the course counts
    assignments: tuple[str, ...] | None = None  # None: every graded assignment of the course


@dataclass(frozen=True)
class Programme:
    id: str
    title: str
    courses: tuple[Course, ...]
    electives_needed: int = 0
    policies: Policies = Policies()

    def find_course(self, name: str) -> Course | None:
        return next((course for course in self.courses if course.course == name), None)


def parse_programme(name: str, text: str) -> Programme:
    """Validate a programme spec; ``name`` is its file name, which chooses YAML or JSON."""
    try:
        return _parse(name, text)
    except InvalidSpec as exc:  # the shared spec readers speak InvalidSpec; say which spec was wrong
        raise InvalidProgramme(exc.message, exc.problems) from exc


def _parse(name: str, text: str) -> Programme:
    where = Where(name)
    if not name.endswith((JSON_SUFFIX, *YAML_SUFFIXES)):
        raise where.error("a programme spec must be a .yaml, .yml or .json file")
    raw = read_mapping(decode_spec(name, text), where, allowed=None)
    problems = Problems()
    problems.found += key_problems(raw, where, allowed=READERS, required=REQUIRED)
    values: dict[str, Any] = {
        key: problems.check(READERS[key], value, where.key(key))
        for key, value in raw.items()
        if key in READERS
    }
    courses, needed = values.get("courses"), values.get("electives_needed", 0)
    if courses is not None and needed is not None:  # checked with the rest, so one upload shows every problem
        problems.check(_check_electives, needed, courses, where.key("electives_needed"))
    problems.raise_if_any()
    return Programme(**values)


def _check_electives(needed: int, courses: tuple[Course, ...], where: Where) -> None:
    """A programme nobody can complete is refused when it is uploaded, not found out at graduation."""
    electives = sum(1 for course in courses if not course.required)
    if needed > electives:
        listed = f"only {electives} elective course{'s' if electives > 1 else ''}" if electives else "none"
        raise where.error(
            f"the programme requires {needed} elective{'s' if needed > 1 else ''} but lists {listed} (required: false)"
        )


def _read_slug(value: Any, where: Where) -> str:
    slug = read_text(value, where)
    if not SLUG.fullmatch(slug):
        raise where.error(f"{slug!r} must be lower-case letters and digits joined by single hyphens")
    return slug


def _read_courses(value: Any, where: Where) -> tuple[Course, ...]:
    problems = Problems()
    items = read_list(value, where)
    courses = [problems.check(_read_course, item, where.index(i)) for i, item in enumerate(items)]
    seen: dict[str, int] = {}
    for i, course in enumerate(courses):
        if course is not None and course.course in seen:
            problems.found.append(
                f"{where.index(i).key('course')}: {course.course!r} is already courses[{seen[course.course]}]"
            )
        elif course is not None:
            seen[course.course] = i
    problems.raise_if_any()
    return tuple(course for course in courses if course is not None)


COURSE_KEYS = (
    "course",
    "required",
    "credits",
    "weights",
    "pass_threshold",
    "requires_verified_exam",
    "exam",
    "assignments",
)
COURSE_REQUIRED = ("course", "required", "credits", "weights", "pass_threshold")


def _read_course(value: Any, where: Where) -> Course:
    raw = read_mapping(value, where, allowed=COURSE_KEYS, required=COURSE_REQUIRED)
    problems = Problems()
    read = problems.check
    course = read(read_text, raw["course"], where.key("course"))
    required = read(read_bool, raw["required"], where.key("required"))
    credits = read(_read_bounded, raw["credits"], where.key("credits"), 0.0, None, False)
    weights = read(_read_weights, raw["weights"], where.key("weights"))
    threshold = read(_read_bounded, raw["pass_threshold"], where.key("pass_threshold"), 0.0, 100.0, True)
    verified = read(read_bool, raw.get("requires_verified_exam", False), where.key("requires_verified_exam"))
    exam = read(read_text, raw["exam"], where.key("exam")) if "exam" in raw else None
    assignments = (
        read(_read_names, raw["assignments"], where.key("assignments")) if "assignments" in raw else None
    )
    problems.raise_if_any()
    assert course is not None and required is not None and credits is not None and weights is not None
    assert threshold is not None and verified is not None
    return Course(course, required, credits, weights[0], weights[1], threshold, verified, exam, assignments)


def _read_bounded(value: Any, where: Where, low: float, high: float | None, low_included: bool) -> float:
    number = float(read_number(value, where))
    too_low = number < low if low_included else number <= low
    if too_low or (high is not None and number > high):
        bounds = f"at least {low:g}" if low_included else f"above {low:g}"
        bounds += f" and at most {high:g}" if high is not None else ""
        raise where.error(f"must be {bounds}, not {number:g}")
    return number


def _read_weights(value: Any, where: Where) -> tuple[float, float]:
    keys = ("assignments", "exam")
    raw = read_mapping(value, where, allowed=keys, required=keys)
    problems = Problems()
    parts = [problems.check(_read_bounded, raw[key], where.key(key), 0.0, 1.0, True) for key in keys]
    problems.raise_if_any()
    assignments, exam = (float(part or 0.0) for part in parts)
    if abs(assignments + exam - 1.0) > WEIGHT_TOLERANCE:
        raise where.error(f"assignments and exam must sum to 1, not {assignments:g} + {exam:g}")
    return assignments, exam


def _read_names(value: Any, where: Where) -> tuple[str, ...]:
    if value == []:
        return ()  # a course graded on its exam alone lists no assignments
    items = read_list(value, where)
    names = tuple(read_text(item, where.index(i)) for i, item in enumerate(items))
    if len(set(names)) < len(names):
        raise where.error("lists an assignment more than once")
    return names


def _read_policies(value: Any, where: Where) -> Policies:
    raw = read_mapping(value, where, allowed=("attempts", "rounding", "letters", "freeze_at"))
    problems = Problems()
    attempts = problems.check(
        read_choice, raw.get("attempts", "best"), where.key("attempts"), ATTEMPT_POLICIES
    )
    rounding = problems.check(read_int, raw.get("rounding", 1), where.key("rounding"), 0, MAX_DECIMALS)
    letters = problems.check(_read_letters, raw["letters"], where.key("letters")) if "letters" in raw else ()
    freeze_at = (
        problems.check(read_time, raw["freeze_at"], where.key("freeze_at")) if "freeze_at" in raw else None
    )
    problems.raise_if_any()
    assert attempts is not None and rounding is not None and letters is not None
    return Policies(attempts, rounding, letters, freeze_at)


def _read_letters(value: Any, where: Where) -> tuple[Band, ...]:
    items = read_list(value, where)
    problems = Problems()
    bands = [problems.check(_read_band, item, where.index(i)) for i, item in enumerate(items)]
    problems.raise_if_any()
    checked = [band for band in bands if band is not None]
    for i in range(1, len(checked)):
        if checked[i].min >= checked[i - 1].min:
            raise (
                where.index(i)
                .key("min")
                .error(
                    f"{checked[i].min:g} must be below {checked[i - 1].min:g} (bands are listed highest first)"
                )
            )
    return tuple(checked)


def _read_band(value: Any, where: Where) -> Band:
    raw = read_mapping(value, where, allowed=("letter", "min"), required=("letter", "min"))
    return Band(
        read_text(raw["letter"], where.key("letter")),
        _read_bounded(raw["min"], where.key("min"), 0, 100, True),
    )


READERS: dict[str, Callable[[Any, Where], Any]] = {
    "id": _read_slug,
    "title": read_text,
    "courses": _read_courses,
    "electives_needed": partial(read_int, minimum=0),
    "policies": _read_policies,
}
REQUIRED = ("id", "title", "courses")
