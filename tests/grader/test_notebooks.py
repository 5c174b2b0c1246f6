"""Work per uploaded notebook is bounded: too many cells or outputs, or nesting too deep, is refused
before the (slow) schema validation runs (issue 18)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from grader.errors import InvalidNotebook
from grader.notebooks import MAX_CELLS, MAX_DEPTH, MAX_OUTPUTS, parse_notebook


def notebook(cells: list[dict[str, Any]], metadata: dict[str, Any] | None = None) -> bytes:
    return json.dumps(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata or {}, "cells": cells}
    ).encode()


def code_cell(i: int, outputs: int = 0) -> dict[str, Any]:
    return {
        "id": f"c{i}",
        "cell_type": "code",
        "source": "x",
        "metadata": {},
        "execution_count": None,
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "."}] * outputs,
    }


def test_a_notebook_at_the_bounds_is_accepted() -> None:
    assert len(parse_notebook(notebook([code_cell(i) for i in range(MAX_CELLS)])).cells) == MAX_CELLS


def test_a_notebook_of_100000_cells_is_refused_naming_the_limit() -> None:
    with pytest.raises(InvalidNotebook, match=f"100000 cells, more than {MAX_CELLS}"):
        parse_notebook(notebook([code_cell(i) for i in range(100_000)]), "hw.ipynb")


def test_a_notebook_with_too_many_outputs_is_refused() -> None:
    cells = [code_cell(i, outputs=MAX_OUTPUTS // 10 + 1) for i in range(10)]
    with pytest.raises(InvalidNotebook, match="outputs"):
        parse_notebook(notebook(cells))


def test_metadata_nested_past_the_bound_is_refused() -> None:
    deep: dict[str, Any] = {}
    for _ in range(MAX_DEPTH + 1):
        deep = {"a": deep}
    with pytest.raises(InvalidNotebook, match="nested"):
        parse_notebook(notebook([code_cell(0)], metadata=deep))
