"""Parsing uploaded notebook bytes into trusted nbformat 4 notebooks, with clear errors."""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Any

from grader.errors import InvalidNotebook

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

MIN_MINOR_FOR_IDS = 5
# Schema validation costs about 0.1 ms per cell and more per output: 100,000 cells held a web
# worker for 10 s. These bounds are far above any real notebook and are checked first, cheaply.
MAX_CELLS = 2000
MAX_OUTPUTS = 10_000  # in all cells together
MAX_DEPTH = 64  # of JSON arrays and objects, anywhere in the document


def parse_notebook(data: bytes, name: str = "notebook") -> NotebookNode:
    """Parse and validate one .ipynb file; raise ``InvalidNotebook`` naming what is wrong."""
    import nbformat  # here, not at the top: `import store` and `import web.app` must stay quick (issue 22)

    if not data.strip():
        raise InvalidNotebook(f"{name}: the file is empty")
    try:
        raw = json.loads(data.decode("utf-8"))
    except RecursionError:
        raise InvalidNotebook(f"{name}: nested too deeply to be a notebook") from None
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError includes integers past the digit limit
        raise InvalidNotebook(f"{name}: not a JSON document ({exc})") from exc
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise InvalidNotebook(f"{name}: JSON, but not a Jupyter notebook (no 'cells')")
    check_bounds(raw, name)
    _drop_code_fields_of_text_cells(raw)
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
    except RecursionError:  # outputs nested just under json's limit can still exhaust the validator's
        raise InvalidNotebook(f"{name}: nested too deeply to be a notebook") from None
    return notebook


def _drop_code_fields_of_text_cells(raw: dict[str, Any]) -> None:
    """A cell turned into markdown by hand may keep ``outputs``; Jupyter drops them, and nbgrader accepts it."""
    for cell in raw.get("cells") or ():
        if isinstance(cell, dict) and cell.get("cell_type") in ("markdown", "raw"):
            cell.pop("outputs", None)
            cell.pop("execution_count", None)


def check_bounds(raw: dict[str, Any], name: str) -> None:
    """Refuse, before any costly validation, a notebook bigger in work than any honest one."""
    cells = raw.get("cells")
    if not isinstance(cells, list):
        return  # not nbformat 4: the version check says so
    if len(cells) > MAX_CELLS:
        raise InvalidNotebook(f"{name}: {len(cells)} cells, more than {MAX_CELLS}; split the notebook")
    outputs = sum(
        len(c["outputs"]) for c in cells if isinstance(c, dict) and isinstance(c.get("outputs"), list)
    )
    if outputs > MAX_OUTPUTS:
        raise InvalidNotebook(
            f"{name}: {outputs} outputs, more than {MAX_OUTPUTS}; clear the outputs and upload again"
        )
    if _depth(raw) > MAX_DEPTH:
        raise InvalidNotebook(f"{name}: nested more than {MAX_DEPTH} levels deep; no notebook needs that")


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest, walked without recursion (the input is hostile)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            stack.extend((child, level + 1) for child in children)
    return deepest


def dump_notebook(notebook: NotebookNode) -> bytes:
    """Serialise a notebook the way Jupyter writes it."""
    import nbformat

    return (nbformat.writes(notebook) + "\n").encode("utf-8")


def copy_notebook(notebook: NotebookNode) -> NotebookNode:
    """A deep copy that stays a NotebookNode."""
    import nbformat

    copied: NotebookNode = nbformat.from_dict(json.loads(json.dumps(notebook)))
    return copied


def cell_label(notebook_name: str, index: int, cell: dict[str, Any]) -> str:
    """How errors name a cell: notebook, position and nbgrader id when there is one."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    suffix = f" (grade_id {grade_id!r})" if grade_id else ""
    return f"{notebook_name}, cell {index + 1}{suffix}"
