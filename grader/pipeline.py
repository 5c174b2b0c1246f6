"""The grading pipeline: match the submission, plan, execute through a session, score, report.

Each step is a small pure function; the only effects go through the injected ``Session``
(the sandbox) and ``clock``. Nothing is persisted here: the caller stores the result.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from nbformat import NotebookNode

from grader.assignment import Assignment
from grader.cells import Role
from grader.errors import InvalidSubmission
from grader.execution import Budget, CellRun, Session, execute_plan
from grader.feedback import render_feedback
from grader.guards import libraries_to_guard
from grader.judging import WEAKER
from grader.notebooks import parse_notebook
from grader.prepare import NotebookPlan, plan_notebook
from grader.report import GradeReport
from grader.scoring import CellResult, score_manual, score_test


@dataclass(frozen=True)
class Graded:
    report: GradeReport
    feedback_html: str
    plans: Mapping[str, NotebookPlan]
    runs: Mapping[str, Mapping[int, CellRun]]


def match_submission(assignment: Assignment, files: Mapping[str, bytes]) -> dict[str, NotebookNode | None]:
    """Pair each assignment notebook with the learner's; raise if nothing usable was sent."""
    notebooks = {name: data for name, data in files.items() if name.endswith(".ipynb")}
    if not notebooks:
        raise InvalidSubmission("the submission holds no .ipynb notebook")
    names = assignment.notebook_names
    if len(names) == 1 and len(notebooks) == 1:
        (data,) = notebooks.values()
        return {names[0]: parse_notebook(data, names[0])}
    by_base = {posixpath.basename(name): data for name, data in notebooks.items()}
    matched: dict[str, NotebookNode | None] = {}
    for name in names:
        found = notebooks.get(name, by_base.get(posixpath.basename(name)))
        matched[name] = parse_notebook(found, name) if found is not None else None
    if all(nb is None for nb in matched.values()):
        raise InvalidSubmission(f"none of the assignment's notebooks ({', '.join(names)}) is in the submission")
    return matched


def grade(
    title: str,
    assignment: Assignment,
    learner: Mapping[str, NotebookNode | None],
    session: Session,
    budget: Budget,
    clock: Callable[[], float],
    on_time: bool = True,
    late_credit: float = 1.0,
) -> Graded:
    """Grade every notebook of the assignment in one session; lateness was judged at receipt."""
    plans: dict[str, NotebookPlan] = {}
    runs: dict[str, dict[int, CellRun]] = {}
    events: list[str] = []
    flags: list[str] = []
    judging = assignment.judging
    session.guard(libraries_to_guard(assignment.sources.values()), judging)
    if not judging.in_judge:
        events.append(WEAKER)
    if assignment.files:
        session.put_files(assignment.files)
    for position, name in enumerate(assignment.notebook_names):
        plan = plan_notebook(name, assignment.sources[name], assignment.releases[name], learner.get(name))
        if learner.get(name) is None:
            events.append(f"{name} was not submitted; its starter code was graded")
        if position:
            session.restart()
        execution = execute_plan(plan, session, budget, clock, judging)
        plans[name], runs[name] = plan, execution.runs
        events.extend(plan.notes)
        events.extend(execution.events)
        flags.extend(execution.flags)
    report = GradeReport(
        cells=tuple(_score_all(assignment, plans, runs)),
        max_score=assignment.rubric.max_score,
        rubric_version=assignment.rubric.version,
        events=tuple(events),
        on_time=on_time,
        late_credit=late_credit,
        flags=tuple(flags),
        judge=judging.mode,
    )
    return Graded(report, render_feedback(title, report, plans, runs), plans, runs)


def _score_all(
    assignment: Assignment, plans: Mapping[str, NotebookPlan], runs: Mapping[str, Mapping[int, CellRun]]
) -> list[CellResult]:
    results = []
    for cell in assignment.rubric.cells:
        plan = plans[cell.notebook]
        if cell.role is Role.TEST:
            step = next((s for s in plan.steps if s.grade_id == cell.grade_id and s.role is Role.TEST), None)
            run = runs[cell.notebook].get(step.index) if step else None
            results.append(score_test(cell, run))
        else:
            results.append(score_manual(cell, plan.answered.get(cell.grade_id, True)))
    return results
