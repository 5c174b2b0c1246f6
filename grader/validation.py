"""Checks of nbgrader metadata in an instructor's source notebook, each error naming its cell.

Older nbgrader metadata (schema 0, 1, 2) is first upgraded the way ``nbgrader update`` does
(``upgrade_metadata``); what cannot be graded as nbgrader would grade it (another kernel
than Python, nbgrader 0.9's ``### AUTOTEST`` directives) is refused here rather than
graded wrongly.
"""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING, Any

from grader.cells import Role, grade_id_of, nbgrader_meta, role_of, source_text
from grader.errors import InvalidAssignment
from grader.notebooks import cell_label, copy_notebook

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

SCHEMA_VERSION = 3
AUTOTEST = "AUTOTEST"  # nbgrader's InstantiateTests.autotest_delimiter, in a comment line


def upgrade_metadata(notebook: NotebookNode) -> NotebookNode:
    """A copy with every cell's nbgrader metadata at schema 3, as ``nbgrader update`` leaves it.

    nbgrader refuses to grade old metadata until ``nbgrader update`` has run; its upgrades
    only fill defaults (v0 -> v1: grade/solution/locked false, points a number, cells
    marked nothing lose their metadata; v1 -> v2: the stored cell type; v2 -> v3: nothing),
    so doing them here changes no grade. Unknown later versions are left for validation.
    """
    upgraded = copy_notebook(notebook)
    for cell in upgraded.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not isinstance(meta, dict) or meta.get("schema_version", 0) not in (0, 1, 2):
            continue
        if meta.get("schema_version", 0) == 0 and not _upgrade_v0(meta):
            del cell["metadata"]["nbgrader"]
            continue
        if "checksum" in meta and "cell_type" not in meta:
            meta["cell_type"] = cell.get("cell_type")
        meta["schema_version"] = SCHEMA_VERSION
    return upgraded


def _upgrade_v0(meta: dict[str, Any]) -> bool:
    """nbgrader's v0 -> v1 defaults; False when the cell is no nbgrader cell at all."""
    for flag in ("grade", "solution", "locked"):
        meta.setdefault(flag, False)
    if not (meta["grade"] or meta["solution"] or meta["locked"]):
        return False
    points = meta.get("points")
    if not meta["grade"]:
        meta.pop("points", None)
    elif points in ("", None):
        meta["points"] = 0.0
    else:
        with contextlib.suppress(TypeError, ValueError):  # not a number: validation names the cell
            meta["points"] = max(float(points), 0.0)  # nbgrader clamps negative points to 0
    return True


def check_gradable(name: str, notebook: NotebookNode) -> None:
    """Refuse what we would otherwise grade differently from nbgrader, naming the notebook or cell."""
    spec = notebook.metadata.get("kernelspec") or {}
    language = str(spec.get("language") or notebook.metadata.get("language_info", {}).get("name") or "python")
    kernel = str(spec.get("name") or language)
    if language.lower() != "python" and not kernel.lower().startswith("python"):
        raise InvalidAssignment(
            f"{name}: the notebook's kernel {kernel!r} ({language}) is not supported: only Python notebooks "
            "are graded here; change the notebook's kernel to Python or grade it elsewhere"
        )
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") == "code" and any(
            _is_autotest(line) for line in source_text(cell).splitlines()
        ):
            raise InvalidAssignment(
                f"{cell_label(name, index, cell)}: nbgrader's ### AUTOTEST and ### HASHED AUTOTEST directives "
                "(autotests.yml) are not supported: they would run as comments and pass every learner; "
                "write the cell's assertions out as a test cell instead"
            )


def _is_autotest(line: str) -> bool:
    return AUTOTEST in line and line.strip().startswith("#")


def validate_source(name: str, notebook: NotebookNode) -> None:
    """Raise ``InvalidAssignment`` listing every metadata problem found in the notebook."""
    check_gradable(name, notebook)
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
    if role is Role.MANUAL and cell.get("cell_type") == "markdown" and not meta.get("solution"):
        problems.append(
            f"{label}: a markdown grade cell must also be a solution cell (nbgrader refuses it too)"
        )
    return problems


def _is_valid_points(points: Any) -> bool:
    if isinstance(points, bool):
        return False
    try:
        value = float(points)
    except (TypeError, ValueError):
        return False
    return math.isfinite(value) and value >= 0
