"""The grading pipeline: match the submission, plan, execute through a session, score, report.

Each step is a small pure function; the only effects go through the injected ``Session``
(the sandbox) and ``clock``. Nothing is persisted here: the caller stores the result.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.answer_fate import answer_troubles, with_answer_trouble
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
from grader.scoring import CellResult, for_a_person, score_manual, score_not_submitted, score_test

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

# What nbgrader's CourseDirectory.ignore leaves out of a submission, and what is never data.
IGNORED_PARTS = (".ipynb_checkpoints", "__pycache__", ".DS_Store", "feedback")


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
        raise InvalidSubmission(
            f"none of the assignment's notebooks ({', '.join(names)}) is in the submission"
        )
    return matched


def learner_data_files(assignment: Assignment, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The learner's files beside their notebooks, kept as nbgrader keeps them.

    nbgrader copies the whole submission folder, then the source's own files over it: a
    notebook that reads a data file it was submitted with still finds it, and a file the
    instructor provides is always the instructor's. Here a learner's file the instructor
    also provides is dropped rather than overwritten (same result; the agent, without
    CAP_DAC_OVERRIDE, could not overwrite a file the learner owns), as is one whose path
    would collide with an instructor's folder, or that is not a plain relative path.
    """
    kept = {}
    for name, data in files.items():
        parts = name.split("/")
        if name.endswith(".ipynb") or not _plain_path(parts):
            continue
        if any(part in IGNORED_PARTS or part.endswith(".pyc") for part in parts):
            continue
        if any(_collides(name, theirs) for theirs in assignment.files):
            continue
        kept[name] = data
    return kept


def _plain_path(parts: list[str]) -> bool:
    return all(part not in ("", ".", "..") and "\\" not in part and "\0" not in part for part in parts)


def _collides(ours: str, theirs: str) -> bool:
    return ours == theirs or ours.startswith(theirs + "/") or theirs.startswith(ours + "/")


def grade(
    title: str,
    assignment: Assignment,
    learner_notebooks: Mapping[str, NotebookNode | None],
    session: Session,
    budget: Budget,
    clock: Callable[[], float],
    on_time: bool = True,
    late_credit: float = 1.0,
    learner_files: Mapping[str, bytes] | None = None,
) -> Graded:
    """Grade every notebook of the assignment in one session; lateness was judged at receipt.

    ``learner_files``: what ``learner_data_files`` kept of the submission, written first so
    that the instructor's files of the same name replace them. A notebook the learner did not
    send is not run at all: nbgrader scores each of its cells 0, and so do we.
    """
    plans: dict[str, NotebookPlan] = {}
    runs: dict[str, dict[int, CellRun]] = {}
    events: list[str] = []
    flags: list[str] = []
    judging = assignment.judging
    session.guard(libraries_to_guard(assignment.sources.values()), judging)
    if not judging.in_judge:
        events.append(WEAKER)
    if learner_files:
        session.put_files(learner_files, judge=False)
    if assignment.files:
        session.put_files(assignment.files)
    submitted = [name for name in assignment.notebook_names if learner_notebooks.get(name) is not None]
    for name in assignment.notebook_names:
        plan = plan_notebook(
            name, assignment.sources[name], assignment.releases[name], learner_notebooks.get(name)
        )
        plans[name], runs[name] = plan, {}
        if name not in submitted:
            events.append(f"{name} was not submitted: it was not run and each of its cells scores 0")
            continue
        if name != submitted[0]:
            session.restart()
        execution = execute_plan(plan, session, budget, clock, judging)
        runs[name] = execution.runs
        events.extend(plan.notes)
        events.extend(execution.events)
        flags.extend(plan.flags)
        flags.extend(execution.flags)
    report = GradeReport(
        cells=tuple(_score_all(assignment, plans, runs, frozenset(submitted))),
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
    assignment: Assignment,
    plans: Mapping[str, NotebookPlan],
    runs: Mapping[str, Mapping[int, CellRun]],
    submitted: frozenset[str],
) -> list[CellResult]:
    results = []
    troubles = {name: answer_troubles(plan, runs[name]) for name, plan in plans.items()}
    for cell in assignment.rubric.cells:
        plan = plans[cell.notebook]
        if cell.notebook not in submitted:
            results.append(score_not_submitted(cell))
            continue
        if cell.role is Role.TEST:
            step = next((s for s in plan.steps if s.grade_id == cell.grade_id and s.role is Role.TEST), None)
            run = runs[cell.notebook].get(step.index) if step else None
            result = with_answer_trouble(
                score_test(cell, run), troubles[cell.notebook].get(cell.grade_id, "")
            )
        else:
            result = score_manual(cell, plan.answered.get(cell.grade_id, True), cell.grade_id in plan.deleted)
        results.append(for_a_person(result, plan.flags[0]) if plan.unmatched else result)
    return results
