"""Parsing uploaded notebook bytes into trusted nbformat 4 notebooks, with clear errors."""

from __future__ import annotations

import json
import warnings
from typing import Any

import nbformat
from nbformat import NotebookNode

from grader.errors import InvalidNotebook

MIN_MINOR_FOR_IDS = 5


def parse_notebook(data: bytes, name: str = "notebook") -> NotebookNode:
    """Parse and validate one .ipynb file; raise ``InvalidNotebook`` naming what is wrong."""
    if not data.strip():
        raise InvalidNotebook(f"{name}: the file is empty")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidNotebook(f"{name}: not a JSON document ({exc})") from exc
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise InvalidNotebook(f"{name}: JSON, but not a Jupyter notebook (no 'cells')")
    major = raw.get("nbformat")
    if major != 4:
        raise InvalidNotebook(
            f"{name}: nbformat {major} is not supported; open and save it with Jupyter (nbformat 4)"
        )
    try:
        with warnings.catch_warnings():
            # nbformat < 4.5 has no cell ids; a missing id is normal there, not a defect.
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(json.dumps(raw), as_version=nbformat.NO_CONVERT)
            nbformat.validate(notebook)
    except nbformat.ValidationError as exc:
        raise InvalidNotebook(f"{name}: not a valid nbformat 4 notebook: {exc.message}") from exc
    return notebook


def dump_notebook(notebook: NotebookNode) -> bytes:
    """Serialise a notebook the way Jupyter writes it."""
    return (nbformat.writes(notebook) + "\n").encode("utf-8")


def copy_notebook(notebook: NotebookNode) -> NotebookNode:
    """A deep copy that stays a NotebookNode."""
    copied: NotebookNode = nbformat.from_dict(json.loads(json.dumps(notebook)))
    return copied


def cell_label(notebook_name: str, index: int, cell: dict[str, Any]) -> str:
    """How errors name a cell: notebook, position and nbgrader id when there is one."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    suffix = f" (grade_id {grade_id!r})" if grade_id else ""
    return f"{notebook_name}, cell {index + 1}{suffix}"
