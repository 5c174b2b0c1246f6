"""Checks of nbgrader metadata in an instructor's source notebook, each error naming its cell."""

from __future__ import annotations

import math
from typing import Any

from nbformat import NotebookNode

from grader.cells import Role, grade_id_of, nbgrader_meta, role_of
from grader.errors import InvalidAssignment
from grader.notebooks import cell_label

SCHEMA_VERSION = 3


def validate_source(name: str, notebook: NotebookNode) -> None:
    """Raise ``InvalidAssignment`` listing every metadata problem found in the notebook."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(notebook.cells):
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        label = cell_label(name, index, cell)
        problems.extend(_cell_problems(label, cell, meta))
        grade_id = grade_id_of(cell)
        if grade_id is not None:
            if grade_id in seen:
                problems.append(f"{label}: duplicate grade_id, also used by cell {seen[grade_id] + 1}")
            else:
                seen[grade_id] = index
    if not any(role_of(cell) in (Role.TEST, Role.MANUAL, Role.TASK) for cell in notebook.cells):
        problems.append(f"{name}: no graded cells (no nbgrader test, manual or task cell with points)")
    if problems:
        raise InvalidAssignment("; ".join(problems))


def _cell_problems(label: str, cell: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    problems = []
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        problems.append(f"{label}: unknown nbgrader schema_version {version!r} (expected {SCHEMA_VERSION})")
    if not grade_id_of(cell):
        problems.append(f"{label}: nbgrader cell without a grade_id")
    role = role_of(cell)
    if role in (Role.TEST, Role.MANUAL, Role.TASK):
        points = meta.get("points")
        if points is None or points == "":
            problems.append(f"{label}: graded cell without points")
        elif not _is_valid_points(points):
            problems.append(f"{label}: points must be a non-negative number, not {points!r}")
    if role is Role.ANSWER and cell.get("cell_type") == "markdown":
        problems.append(f"{label}: a markdown solution cell must also be graded (give it points)")
    return problems


def _is_valid_points(points: Any) -> bool:
    if isinstance(points, bool):
        return False
    try:
        value = float(points)
    except (TypeError, ValueError):
        return False
    return math.isfinite(value) and value >= 0
