"""Builders for nbgrader notebooks and an in-memory fake session, after nbgrader's test helpers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import nbformat

from grader.execution import CellRun
from grader.judging import JUDGED, Judging
from grader.stored_report import StoredReport


def _meta(grade_id: str, grade: bool, solution: bool, locked: bool, points: float | None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def make_answer_cell(grade_id: str, solution: str = "x = 1", stub: bool = False) -> Any:
    text = solution if stub else f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION"
    return nbformat.v4.new_code_cell(text, metadata=_meta(grade_id, False, True, False, None))


def make_test_cell(grade_id: str, source: str = "assert True", points: float | None = 1) -> Any:
    return nbformat.v4.new_code_cell(source, metadata=_meta(grade_id, True, False, True, points))


def make_manual_cell(grade_id: str, text: str = "YOUR ANSWER HERE", points: float = 2) -> Any:
    return nbformat.v4.new_markdown_cell(text, metadata=_meta(grade_id, True, True, False, points))


def make_notebook(*cells: Any) -> Any:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def to_bytes(nb: Any) -> bytes:
    return nbformat.writes(nb).encode()


@dataclass
class FakeSession:
    """Answers ``run_cell`` from a function of the code; records everything it is asked."""

    behaviour: Callable[[str], CellRun] = lambda code: CellRun("ok")
    calls: list[str] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)  # test cells sent to the judge (also in calls, in order)
    defined: list[str] = field(default_factory=list)  # what the judge was given to hold of instructor cells
    files: dict[str, bytes] = field(default_factory=dict)  # what the learner's directory holds
    judge_files: dict[str, bytes] = field(
        default_factory=dict
    )  # the judge's copy: the instructor's files only
    restarts: int = 0
    guarded: list[tuple[str, ...]] = field(default_factory=list)

    def guard(self, modules: Sequence[str], judging: Judging = JUDGED) -> None:
        self.guarded.append(tuple(modules))

    def put_files(self, files: Mapping[str, bytes], judge: bool = True) -> None:
        self.files.update(files)
        if judge:
            self.judge_files.update(files)

    def run_test(self, code: str, timeout: float) -> CellRun:
        """A judged test: in this fake, the same answer as an attested in-process run."""
        self.tests.append(code)
        self.calls.append(code)
        run = self.behaviour(code)
        if run.attestation is None and run.status in ("ok", "error"):
            run = dataclasses.replace(run, attestation="verified" if run.status == "ok" else "error")
        return run

    def run_cell(self, code: str, timeout: float, attest: bool = False, define: str = "") -> CellRun:
        """Like a trustworthy sandbox, attested runs carry the verdict matching what ran."""
        self.calls.append(code)
        if define:
            self.defined.append(define)
        run = self.behaviour(code)
        if attest and run.attestation is None and run.status in ("ok", "error"):
            verdict = "verified" if run.status == "ok" else "error"
            run = dataclasses.replace(run, attestation=verdict)
        return run

    def restart(self) -> None:
        self.restarts += 1


def error_run(ename: str = "AssertionError", evalue: str = "") -> CellRun:
    return CellRun("error", ({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []},))


def result_run(text: str) -> CellRun:
    output = {"output_type": "execute_result", "data": {"text/plain": text}, "metadata": {}}
    return CellRun("ok", (output,), attestation="verified")


def ok_run() -> CellRun:
    return CellRun("ok", attestation="verified")


def learner_files(assignment: Any, answers: Mapping[str, str], name: str = "hw.ipynb") -> dict[str, bytes]:
    """The release with the learner's answers typed into the answer cells, as upload bytes."""
    from grader.cells import grade_id_of
    from grader.notebooks import copy_notebook, dump_notebook

    nb = copy_notebook(assignment.releases[name])
    for cell in nb.cells:
        if grade_id_of(cell) in answers:
            cell.source = answers[grade_id_of(cell)]
    return {name: dump_notebook(nb)}


def report_cell(
    grade_id: str, score: float | None, max_score: float, status: str, **extra: Any
) -> dict[str, Any]:
    """One cell of a stored grade report."""
    return {
        "notebook": "hw.ipynb",
        "grade_id": grade_id,
        "score": score,
        "max_score": max_score,
        "status": status,
        "message": "",
        "review": "",
        **extra,
    }


def report_dict(*cells: dict[str, Any], score: float = 2.0, **extra: Any) -> dict[str, Any]:
    """A stored grade report, as the worker saves it (``extra`` overrides any field)."""
    return {
        "score": score,
        "raw_score": score,
        "max_score": 3.0,
        "on_time": True,
        "late_credit": 1.0,
        "needs_manual_grading": False,
        "needs_review": False,
        "rubric_version": "v",
        "events": [],
        "flags": [],
        "cells": list(cells),
        **extra,
    }


def stored_report(*cells: dict[str, Any], score: float = 2.0, **extra: Any) -> StoredReport:
    """``report_dict``'s report as the store reads it back."""
    return StoredReport.from_json(report_dict(*cells, score=score, **extra))
