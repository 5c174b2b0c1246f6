"""How each number in a record came to be, in lines an instructor or a registrar can read.

The lines come from the record alone (its ``rule`` and ``sources``), so an exported or
stored record can be explained without the history; the sources name the submission hash,
sandbox image and rubric version, enough to regrade the same bytes in the same image. People
are named as people read them: the programme by its title, a grade by who scored its cells
by hand and who changed it, and why.
"""

from __future__ import annotations

from typing import Any

from records.model import CourseResult, Record


def explain(record: Record) -> list[str]:
    passed = sum(course.passed for course in record.courses)
    lines = [
        f"{record.programme_title or record.programme_id} for {record.learner}: {passed} of {len(record.courses)} courses passed, "
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
    people = _people(source)
    return (
        f"{role} {source.get('item')}: {_number(source.get('score'))}/{_number(source.get('max_score'))}"
        f"{f', {people};' if people else ''} from {ident} ({origin}; {provenance}){conflict}"
    )


def _people(source: dict[str, Any]) -> str:
    """Who graded cells of this grade by hand, and whose change made it, by name: the machine is no one."""
    parts = [
        f"cell {cell.get('grade_id')} graded by {cell.get('by') or 'hand'}"
        for cell in source.get("hand_graded") or ()
        if isinstance(cell, dict)
    ]
    if source.get("author"):
        parts.append(f"changed by {source['author']}: {source.get('reason', '')}")
    return "; ".join(parts)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _share(value: float | None) -> str:
    return "none yet" if value is None else f"{value:.4g}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
