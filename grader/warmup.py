"""Priming a process for grading, so the first real submission is not the slow one.

The first notebook a process validates compiles nbformat's JSON schema, and the first grade
imports nbgrader's preprocessors and the feedback templates: about a second, measured in
the benchmark as the first submission's latency. Workers and the web app call ``warm_up``
once at start instead. It grades a two-cell assignment built in memory through the real
pipeline, with a dry-run session that runs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import nbformat

from grader.assignment import build_assignment
from grader.execution import Budget, CellRun
from grader.judging import JUDGED, Judging
from grader.pipeline import grade, match_submission

NAME = "warm-up.ipynb"


class _DryRun:
    """A session that claims every cell ran cleanly; used only to exercise the code paths."""

    def guard(self, modules: Sequence[str], judging: Judging = JUDGED) -> None:
        return None

    def put_files(self, files: Mapping[str, bytes], judge: bool = True) -> None:
        return None

    def run_cell(self, code: str, timeout: float, attest: bool = False, define: str = "") -> CellRun:
        return CellRun("ok", attestation="verified" if attest else None)

    def run_test(self, code: str, timeout: float) -> CellRun:
        return CellRun("ok", attestation="verified")

    def restart(self) -> None:
        return None


def _cell(source: str, grade_id: str, test: bool) -> Any:
    meta = {"grade": test, "solution": not test, "locked": test, "grade_id": grade_id, "schema_version": 3}
    if test:
        meta["points"] = 1
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def warm_up() -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[
            _cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "answer", False),
            _cell("assert x == 1", "test", True),
        ]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    data = nbformat.writes(notebook).encode()
    assignment = build_assignment({NAME: data})
    learner = match_submission(assignment, {NAME: data})
    grade("warm-up", assignment, learner, _DryRun(), Budget(1, 1), lambda: 0.0)
