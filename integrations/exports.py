"""Grade exports that existing tooling reads: CSV gradebooks and Gradescope's ``results.json``.

Which submission counts: each learner's latest *graded* submission by receipt time. A
learner whose submissions all failed or are still waiting keeps a row, shown by their
latest submission, with empty scores (a later issue adds best/latest policies).

CSV cells that a spreadsheet could run as a formula (text starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return: a learner's name, an assignment's name, a
grade id) get a leading single quote, as OWASP advises; the numbers we format ourselves
are written as they are.

``results.json`` is for learners, so each test's output is only the score's own words
(``AssertionError raised``, ``this test ran out of time``): never a test's source or its
output, which may repeat hidden tests, and never a cell's review note, which is for
instructors and may quote the sandbox.

The records are read through small protocols, so this module needs neither the store nor
the web layer (``store``'s frozen records fit them).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from grader.stored_report import StoredCell, StoredReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
AWAITING_MANUAL = "awaiting grading by a person: its points are not counted yet"
NOT_EARNED = ("failed", "error", "timeout", "not_run", "needs_manual_grading")
Value = str | float | bool | None


class AssignmentLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def max_score(self) -> float: ...
    @property
    def rubric(self) -> Sequence[Mapping[str, Any]]: ...  # {notebook, grade_id, points, kind}, in order


class SubmissionLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def assignment_id(self) -> str: ...
    @property
    def learner(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def on_time(self) -> bool: ...
    @property
    def late_credit(self) -> float: ...
    @property
    def status(self) -> str: ...
    @property
    def score(self) -> float | None: ...


class ReportLike(Protocol):
    @property
    def report(self) -> StoredReport: ...
    @property
    def provenance(self) -> Mapping[str, Any]: ...


S = TypeVar("S", bound=SubmissionLike)


def counted_submissions(submissions: Iterable[S]) -> dict[str, S]:
    """``{learner: submission}``, sorted by learner: the latest graded one, else the latest of any status."""
    by_learner: dict[str, list[S]] = defaultdict(list)
    for submission in submissions:
        by_learner[submission.learner].append(submission)
    return {learner: counted(by_learner[learner]) for learner in sorted(by_learner)}


def counted(submissions: Sequence[S]) -> S:
    """Equal receipt times fall to the larger id, so the choice never depends on the list's order."""
    graded = [s for s in submissions if s.status == "graded"]
    return max(graded or submissions, key=lambda s: (s.received_at, s.id))


def cell_labels(rubric: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """Column names of the rubric's cells (``{notebook, grade_id, ...}``), in its order."""
    return labels_of([(cell["notebook"], cell["grade_id"]) for cell in rubric])


def labels_of(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Column names: the grade id, or ``notebook:grade_id`` where two notebooks share one."""
    uses = Counter(grade_id for _, grade_id in keys)
    return {(nb, gid): gid if uses[gid] == 1 else f"{nb}:{gid}" for nb, gid in keys}


def assignment_gradebook(
    assignment: AssignmentLike,
    submissions: Iterable[SubmissionLike],
    reports: Mapping[str, StoredReport],
) -> str:
    """One row per learner: their counted submission, one column per grade cell, then the total.

    ``reports`` holds the report of each counted graded submission by submission id (other
    entries are ignored). Cell columns are raw points; ``total`` is the submission's score
    after late credit; a cell awaiting manual grading, or a learner with no graded
    submission, has empty cells.
    """
    labels = cell_labels(assignment.rubric)
    header: list[Value] = [
        "learner",
        "submission_id",
        "received_at",
        "on_time",
        "late_credit",
        "status",
        *labels.values(),
        "total",
        "max_score",
    ]
    rows = [header]
    for learner, submission in counted_submissions(submissions).items():
        report = reports.get(submission.id) if submission.status == "graded" else None
        scores = cell_scores(report, labels)
        total = submission.score if submission.status == "graded" else None
        row: list[Value] = [
            learner,
            submission.id,
            submission.received_at.isoformat(),
            submission.on_time,
            submission.late_credit,
            submission.status,
            *scores,
            total,
            assignment.max_score,
        ]
        rows.append(row)
    return write_csv(rows)


def cell_scores(report: StoredReport | None, labels: Mapping[tuple[str, str], str]) -> list[Value]:
    """Scores in rubric order; None for a cell the report lacks or that awaits a person."""
    found = {cell.key: cell.score for cell in report.cells} if report is not None else {}
    return [found.get(key) for key in labels]


def course_gradebook(assignments: Sequence[AssignmentLike], submissions: Iterable[SubmissionLike]) -> str:
    """One row per learner of the course: each assignment's counted total, then their sum and the course's.

    A column is named by the assignment and empty where the learner has no graded
    submission; ``max_score`` is the sum over all the assignments, the same on every row.
    """
    totals = course_totals(assignments, submissions)
    header: list[Value] = ["learner", *(a.name for a in assignments), "total", "max_score"]
    course_max = sum(a.max_score for a in assignments)
    rows = [header]
    for learner in sorted(totals):
        scores = [totals[learner].get(a.id) for a in assignments]
        earned = [score for score in scores if score is not None]
        rows.append([learner, *scores, sum(earned) if earned else None, course_max])
    return write_csv(rows)


def course_totals(
    assignments: Sequence[AssignmentLike], submissions: Iterable[SubmissionLike]
) -> dict[str, dict[str, float | None]]:
    """``{learner: {assignment id: counted score or None}}`` over the given assignments only."""
    wanted = {a.id for a in assignments}
    by_assignment: dict[str, list[SubmissionLike]] = defaultdict(list)
    for submission in submissions:
        if submission.assignment_id in wanted:
            by_assignment[submission.assignment_id].append(submission)
    totals: dict[str, dict[str, float | None]] = defaultdict(dict)
    for assignment_id, group in by_assignment.items():
        for learner, submission in counted_submissions(group).items():
            totals[learner][assignment_id] = submission.score if submission.status == "graded" else None
    return totals


def write_csv(rows: Iterable[Sequence[Value]]) -> str:
    """RFC 4180 text (CRLF line ends, quoting as needed), every cell rendered by ``csv_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    return guard_formula(value)


def format_number(value: float) -> str:
    """Up to six decimals, as the report rounds them, without trailing zeros: 2, 0.5, 1.333333."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def guard_formula(text: str) -> str:
    """Text a spreadsheet would evaluate is quoted, so it stays text (OWASP's CSV injection advice)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def gradescope_results(
    report: ReportLike, submission: SubmissionLike, assignment: AssignmentLike
) -> dict[str, Any]:
    """Gradescope's autograder ``results.json`` for one graded submission.

    ``score`` is the submission's score after late credit (it overrides the tests' sum,
    which is in raw points). A cell awaiting manual grading is listed with score 0, status
    ``pending`` and an output saying a person has yet to grade it: calling it ``failed``
    told learners their answer was wrong. Gradescope's spec names only passed and failed;
    the top-level output says the score may still rise and ``extra_data.needs_manual_grading``
    is true, so importers can hold the score back. ``execution_time`` (seconds) is present only when the grade's provenance timed it.
    """
    data = report.report
    cells = data.cells
    labels = labels_of([cell.key for cell in cells])
    results: dict[str, Any] = {
        "score": data.score,
        "output": summary(assignment, data),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"submission_id": submission.id, "needs_manual_grading": needs_manual_grading(data)},
        "tests": [gradescope_test(cell, labels, number) for number, cell in enumerate(cells, start=1)],
    }
    seconds = execution_time(report.provenance)
    if seconds is not None:
        results["execution_time"] = seconds
    return results


def gradescope_test(cell: StoredCell, labels: Mapping[tuple[str, str], str], number: int) -> dict[str, Any]:
    """One cell as a Gradescope test; its output is the score's own words, never what the test printed."""
    manual = cell.status == "needs_manual_grading"
    return {
        "name": labels[cell.key],
        "number": str(number),
        "score": cell.score if cell.score is not None else 0.0,
        "max_score": cell.max_score,
        "status": "pending" if manual else "passed" if full_marks(cell) else "failed",
        "output": AWAITING_MANUAL if manual else cell.message or cell.status.replace("_", " "),
        "visibility": "visible",
    }


def full_marks(cell: StoredCell) -> bool:
    """Gradescope has only passed and failed: passed means every point earned, however it was graded.

    A cell with a zero-point test would otherwise pass by failing, so the statuses that say
    the points were not earned decide first.
    """
    if cell.status in NOT_EARNED or cell.score is None:
        return False
    return bool(cell.score >= cell.max_score)


def needs_manual_grading(data: StoredReport) -> bool:
    return any(cell.status == "needs_manual_grading" for cell in data.cells)


def summary(assignment: AssignmentLike, data: StoredReport) -> str:
    """The short text Gradescope shows above the tests, in the feedback page's words."""
    parts = [f"{assignment.name}: {data.score:g} / {data.max_score:g}."]
    if not data.on_time:
        parts.append(f"Received after the deadline: {data.late_credit * 100:g}% of the credit kept.")
    if needs_manual_grading(data):
        parts.append("Some answers are awaiting manual grading; the score may still rise.")
    return " ".join(parts)


def execution_time(provenance: Mapping[str, Any]) -> float | None:
    """Seconds the grade took, sandbox start included, from the worker's timings."""
    timings = provenance.get("timings")
    total = timings.get("total") if isinstance(timings, Mapping) else None
    if isinstance(total, int | float) and not isinstance(total, bool):
        return round(float(total), 3)
    return None
