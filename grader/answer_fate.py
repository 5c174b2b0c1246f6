"""What happened to the answers a failing test needed, in words a learner can act on.

A test that fails because its answer cell never defined the function says only "NameError
raised"; the learner, seeing the test fail, looks for a bug in a function that in fact
never existed. The answer cell's own fate (a syntax error on line 2, stopped for running
out of time, the memory limit) is what they need to hear, beside the test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from grader.cells import Role
from grader.execution import CellRun
from grader.prepare import ANSWER_ROLES, NotebookPlan
from grader.scoring import CellResult

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")
TROUBLED = ("failed", "error", "timeout")


def fate_of(run: CellRun) -> str:
    """One phrase for a cell that did not run to its end; empty if it did."""
    if run.status == "ok":
        return ""
    if run.status in ("timeout", "timeout_restarted"):
        return "ran out of time and was stopped"
    if run.status == "dead":
        return f"did not finish: {run.detail}" if run.detail else "did not finish: its kernel died"
    if run.status in ("not_run", "lost"):
        return "did not run"
    error = next((o for o in run.outputs if o.get("output_type") == "error"), None)
    if error is None:
        return "did not finish"
    lines = CELL_LINE.findall(ANSI.sub("", "\n".join(error.get("traceback") or ())))
    where = f" on line {lines[-1]}" if lines else ""
    return f"ended with {error.get('ename', 'an error')}{where}"


def answer_troubles(plan: NotebookPlan, runs: Mapping[int, CellRun]) -> dict[str, str]:
    """For each test (by grade id), what went wrong in the answer cells since the previous test."""
    troubles: dict[str, str] = {}
    pending: list[str] = []
    for step in plan.steps:
        if step.role is Role.TEST and step.grade_id:
            troubles[step.grade_id] = "; ".join(pending)
            pending = []
            continue
        run = runs.get(step.index)
        fate = fate_of(run) if run is not None and step.role in ANSWER_ROLES else ""
        if fate:
            pending.append(f"the answer cell {step.grade_id!r} {fate}")
    return {gid: text for gid, text in troubles.items() if text}


def with_answer_trouble(result: CellResult, trouble: str) -> CellResult:
    """A failed test's message, followed by what happened to the answer it tested."""
    if not trouble or result.status not in TROUBLED:
        return result
    return replace(result, message=f"{result.message}; {trouble}" if result.message else trouble)
