"""Question templates: ``{{ name }}`` placeholders in an nbgrader notebook, filled per attempt.

A value is written as ``repr(value)`` so that a code cell stays valid Python (``'Paris'``,
``0.25``, ``True``); a negative number is written in parentheses, ``(-3)``, so that
``{{ n }} ** 2`` still means the square of n. The instructor's *source* is rendered, not
just the release: solutions and (hidden) tests see the same values, grading runs on the
rendered source, and grader/assignment builds the learner's release from it, so hidden
tests and solutions never reach the learner. ``{{`` is also how an f-string writes a brace;
such a string reads as a placeholder and is refused as unknown, loudly, never half-filled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from exam_bank.params import NAME
from grader.cells import source_text
from grader.errors import InvalidExam, InvalidNotebook
from grader.notebooks import cell_label, dump_notebook, parse_notebook

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

PLACEHOLDER = re.compile(r"\{\{\s*(" + NAME.pattern + r")\s*\}\}")


def render_question(source: bytes, params: Mapping[str, Any], name: str = "question.ipynb") -> bytes:
    """The notebook with every placeholder in every cell replaced by its value's literal."""
    notebook = load_question(source, name)
    fill_placeholders(notebook, params, name)
    return dump_notebook(notebook)


def load_question(source: bytes, name: str) -> NotebookNode:
    """Parse a question notebook; its defects become ``InvalidExam`` naming the file."""
    try:
        return parse_notebook(source, name)
    except InvalidNotebook as exc:
        raise InvalidExam(exc.message) from exc


def placeholders_in(notebook: NotebookNode, name: str) -> dict[str, str]:
    """Each placeholder used, with the label of the first cell that uses it."""
    found: dict[str, str] = {}
    for index, cell in enumerate(notebook.cells):
        for match in PLACEHOLDER.finditer(source_text(cell)):
            found.setdefault(match.group(1), cell_label(name, index, cell))
    return found


def fill_placeholders(notebook: NotebookNode, params: Mapping[str, Any], name: str) -> None:
    """Substitute in place; a placeholder without a value is an error naming it and its cell."""
    for placeholder, label in placeholders_in(notebook, name).items():
        if placeholder not in params:
            known = ", ".join(sorted(params)) or "none"
            raise InvalidExam(f"{label}: unknown placeholder {{{{ {placeholder} }}}} (parameters: {known})")
    for cell in notebook.cells:
        cell.source = PLACEHOLDER.sub(lambda match: literal(params[match.group(1)]), source_text(cell))


def literal(value: Any) -> str:
    """How a value is written into a cell: its repr, negative numbers in parentheses."""
    text = repr(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and text.startswith("-"):
        return f"({text})"
    return text
