"""Extensions in bulk: a CSV of learner, assignment, extra_hours or due, reason, read into grants.

Every row is read before any is kept, and every bad row is named (row 1 is the first line
after the header), so a file with one mistake stores nothing and says where all of them are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from grader.errors import InvalidSpec
from grader.ledger_change import Grant

COLUMNS = ("learner", "assignment", "extra_hours", "due", "reason")
MAX_ROWS = 20_000


def read_extensions(text: str, assignments: Mapping[str, str]) -> list[Grant]:
    """Grants from the CSV; ``assignments`` maps each assignment's name (and id) to its id."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in ("learner", "assignment", "reason") if name not in (reader.fieldnames or [])]
    if missing:
        raise InvalidSpec(
            f"the header needs the columns {', '.join(COLUMNS)} (missing: {', '.join(missing)})"
        )
    grants, problems = [], []
    for row, fields in enumerate(reader, 1):
        if row > MAX_ROWS:
            raise InvalidSpec(f"at most {MAX_ROWS} rows in one file")
        try:
            grants.append(read_row(fields, assignments))
        except InvalidSpec as exc:
            problems.append(f"row {row}: {exc.message}")
    if problems:
        raise InvalidSpec("; ".join(problems[:20]), tuple(problems))
    return grants


def read_row(fields: Mapping[str, str | None], assignments: Mapping[str, str]) -> Grant:
    def cell(name: str) -> str:
        return (fields.get(name) or "").strip()

    name = cell("assignment")
    if name not in assignments:
        raise InvalidSpec(f"assignment: no assignment {name!r} in this course")
    terms: dict[str, Any] = {}
    if cell("due"):
        terms["due"] = cell("due")
    if cell("extra_hours"):
        try:
            terms["extra_hours"] = float(cell("extra_hours"))
        except ValueError:
            raise InvalidSpec(f"extra_hours: {cell('extra_hours')!r} is not a number") from None
    return Grant(cell("learner"), "extension", assignments[name], terms, cell("reason"))
