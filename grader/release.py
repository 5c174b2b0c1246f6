"""Building the learner's release of a source notebook with nbgrader's own preprocessors."""

from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)

from grader.errors import InvalidAssignment
from grader.notebooks import copy_notebook

RELEASE_STEPS = (ClearSolutions, ClearHiddenTests, ClearMarkScheme, ClearOutput, LockCells, ComputeChecksums)


def build_release(name: str, source: NotebookNode) -> NotebookNode:
    """Solutions become stubs, hidden tests and marking schemes vanish, outputs are cleared."""
    notebook = copy_notebook(source)
    resources: dict[str, Any] = {}
    for step in RELEASE_STEPS:
        try:
            notebook, resources = step().preprocess(notebook, resources)
        except Exception as exc:  # nbgrader raises bare RuntimeError/ValueError for bad regions
            raise InvalidAssignment(f"{name}: nbgrader could not build the release: {exc}") from exc
    return notebook
