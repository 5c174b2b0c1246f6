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
    """Grants from the CSV; ``assignments`` maps each assignment's name (and id) to its id.

    Rows are only read here; checking them is the grants' own (``plan_grants``), so a CSV row
    and a JSON entry are refused for the same reasons in the same words.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in ("learner", "assignment", "reason") if name not in (reader.fieldnames or [])]
    if missing:
        raise InvalidSpec(
            f"the header needs the columns {', '.join(COLUMNS)} (missing: {', '.join(missing)})"
        )
    grants = []
    for row, fields in enumerate(reader, 1):
        if row > MAX_ROWS:
            raise InvalidSpec(f"at most {MAX_ROWS} rows in one file")
        grants.append(read_row(fields, assignments))
    return grants


def read_row(fields: Mapping[str, str | None], assignments: Mapping[str, str]) -> Grant:
    def cell(name: str) -> str:
        return (fields.get(name) or "").strip()

    terms: dict[str, Any] = {}
    if cell("due"):
        terms["due"] = cell("due")
    if cell("extra_hours"):
        terms["extra_hours"] = number_or_text(cell("extra_hours"))
    name = cell("assignment")
    return Grant(cell("learner"), "extension", assignments.get(name, name), terms, cell("reason"))


def number_or_text(value: str) -> float | str:
    """A number, or the text as written, for the check to name."""
    try:
        return float(value)
    except ValueError:
        return value
