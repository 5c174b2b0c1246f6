"""Building the learner's release of a source notebook with nbgrader's own preprocessors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.errors import InvalidAssignment
from grader.notebooks import copy_notebook

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)


def release_steps() -> tuple[Any, ...]:
    """nbgrader's preprocessors, imported when a release is first built: importing nbgrader
    (and nbformat, jsonschema) costs a process about a second (issue 22)."""
    from nbgrader.preprocessors import (
        ClearHiddenTests,
        ClearMarkScheme,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )

    return (ClearSolutions, ClearHiddenTests, ClearMarkScheme, ClearOutput, LockCells, ComputeChecksums)


def build_release(name: str, source: NotebookNode) -> NotebookNode:
    """Solutions become stubs, hidden tests and marking schemes vanish, outputs are cleared."""
    notebook = copy_notebook(source)
    resources: dict[str, Any] = {}
    for step in release_steps():
        try:
            notebook, resources = step().preprocess(notebook, resources)
        except Exception as exc:  # nbgrader raises bare RuntimeError/ValueError for bad regions
            raise InvalidAssignment(f"{name}: nbgrader could not build the release: {exc}") from exc
    return notebook
