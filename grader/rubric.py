"""The rubric: the grade cells of an assignment and their points, always read from the source."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.cells import Role, grade_id_of, points_of, role_of

GRADED_ROLES = (Role.TEST, Role.MANUAL, Role.TASK)


@dataclass(frozen=True)
class GradeCell:
    notebook: str
    grade_id: str
    points: float
    role: Role

    @property
    def autograded(self) -> bool:
        return self.role is Role.TEST

    def to_dict(self) -> dict[str, Any]:
        return {
            "notebook": self.notebook,
            "grade_id": self.grade_id,
            "points": self.points,
            "kind": self.role.value,
        }


@dataclass(frozen=True)
class Rubric:
    cells: tuple[GradeCell, ...]
    version: str

    @property
    def max_score(self) -> float:
        return sum(cell.points for cell in self.cells)

    def find(self, notebook: str, grade_id: str) -> GradeCell | None:
        for cell in self.cells:
            if cell.notebook == notebook and cell.grade_id == grade_id:
                return cell
        return None


def build_rubric(sources: Mapping[str, Mapping[str, Any]]) -> Rubric:
    """Collect grade cells in notebook order; the version hashes the sources that define them."""
    cells = []
    digest = hashlib.sha256()
    for name in sorted(sources):
        notebook = sources[name]
        digest.update(name.encode() + b"\0" + json.dumps(notebook, sort_keys=True).encode())
        for cell in notebook["cells"]:
            role = role_of(cell)
            grade_id = grade_id_of(cell)
            if role in GRADED_ROLES and grade_id:
                cells.append(GradeCell(name, grade_id, points_of(cell), role))
    return Rubric(tuple(cells), digest.hexdigest()[:16])
