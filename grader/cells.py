"""What an nbgrader cell is for, read from its metadata: the roles the rubric and plan use."""

from __future__ import annotations

import enum
import re
from typing import Any

HIDDEN_TESTS = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S
)


class Role(enum.Enum):
    """One role per cell; nbgrader's flags (grade, solution, locked, task) collapse to these."""

    ANSWER = "answer"  # solution, not graded: the learner's code, autograded through tests
    MANUAL = "manual"  # solution and graded: a person grades it
    TEST = "test"  # graded code, not solution: an autograder test
    TASK = "task"  # a task cell: graded by a person, no answer region
    LOCKED = "locked"  # read-only instructor content
    PLAIN = "plain"  # no nbgrader metadata (instructor prose or a learner's own cell)


def nbgrader_meta(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def role_of(cell: dict[str, Any]) -> Role:
    meta = nbgrader_meta(cell)
    if not meta:
        return Role.PLAIN
    if meta.get("task"):
        return Role.TASK
    grade, solution = bool(meta.get("grade")), bool(meta.get("solution"))
    if grade and solution:
        return Role.MANUAL
    if solution:
        return Role.ANSWER
    if grade:
        return Role.TEST if cell.get("cell_type") == "code" else Role.MANUAL
    return Role.LOCKED if meta.get("locked") else Role.PLAIN


def grade_id_of(cell: dict[str, Any]) -> str | None:
    value = nbgrader_meta(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def points_of(cell: dict[str, Any]) -> float:
    return float(nbgrader_meta(cell).get("points") or 0)


def source_text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def has_hidden_tests(cell: dict[str, Any]) -> bool:
    return "### BEGIN HIDDEN TESTS" in source_text(cell)


def strip_hidden_tests(text: str) -> str:
    """The test source a learner may see: hidden regions removed, as in the release."""
    return HIDDEN_TESTS.sub("", text)
