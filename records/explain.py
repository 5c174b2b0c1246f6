"""How each number in a record came to be, in lines an instructor or a registrar can read.

The lines come from the record alone (its ``rule`` and ``sources``), so an exported or
stored record can be explained without the history; the sources name the submission hash,
sandbox image and rubric version, enough to regrade the same bytes in the same image.
"""

from __future__ import annotations

from typing import Any

from records.model import CourseResult, Record


def explain(record: Record) -> list[str]:
    passed = sum(course.passed for course in record.courses)
    lines = [
        f"{record.programme_id} for {record.learner}: {passed} of {len(record.courses)} courses passed, "
        f"{record.credits_earned:g} credits; complete: {_yes(record.complete)}, "
        f"credit-eligible: {_yes(record.credit_eligible)}, frozen: {_yes(record.frozen)} "
        f"(history up to event {record.last_seq}, hash {record.history_hash[:12]})"
    ]
    for course in record.courses:
        lines += explain_course(course)
    return lines


def explain_course(course: CourseResult) -> list[str]:
    kind = "required" if course.required else "elective"
    grade = "not yet graded" if course.grade is None else f"grade {course.grade:g}"
    letter = f" ({course.letter})" if course.letter else ""
    lines = [
        f"{course.course} ({kind}, {course.credits:g} credits): {grade}{letter}, "
        f"{'passed' if course.passed else 'not passed'}{', overridden' if course.overridden else ''}",
        f"  rule: {course.rule}; assignments {_share(course.assignments)}, exam {_share(course.exam)}"
        f"{' (verified)' if course.exam_verified else ''}",
    ]
    return lines + [f"  {_source_line(source)}" for source in course.sources]


def _source_line(source: dict[str, Any]) -> str:
    role = source["role"]
    if role == "missing":
        return f"assignment {source['item']}: no grade, counts as 0"
    origin = f"event {source['seq']} at {source['at']} by {source['actor']}, version {source['version']}"
    conflict = "; another event has this version with a different body" if source.get("conflict") else ""
    if role == "proctoring":
        return f"proctoring of {source.get('attempt_id')}: {source.get('state')} ({origin}){conflict}"
    if role == "override":
        return (
            f"override to {source.get('value')} by {source.get('author')}: {source.get('reason')} ({origin})"
        )
    if role in ("held", "ignored"):
        why = (
            "held by the freeze (no reason given)"
            if role == "held"
            else "ignored (no reason or author, or not of the grade)"
        )
        return f"{source['kind']} {source.get('item', '')} {why} ({origin})"
    provenance = ", ".join(
        f"{name} {source[name]}"
        for name in ("submission_sha256", "sandbox_image", "rubric_version", "judge")
        if name in source
    )
    ident = source.get("attempt_id") or source.get("submission_id")
    return (
        f"{role} {source.get('item')}: {source.get('score')}/{source.get('max_score')} from {ident} "
        f"({origin}; {provenance}){conflict}"
    )


def _share(value: float | None) -> str:
    return "none yet" if value is None else f"{value:.4g}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
