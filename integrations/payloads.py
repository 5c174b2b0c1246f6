"""The signed result a platform receives: what it says, and which event it is.

One delivery per grade version: the first grade of a submission is ``grade.final``; a
regrade or an instructor's change adds a version and sends ``grade.updated``; a submission
that could not be graded sends ``grade.failed`` (no score: our fault is never a zero).
Hidden test content never appears: cells carry only their id, points and status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.stored_report import StoredCell, StoredReport

CELL_FIELDS = ("notebook", "grade_id", "score", "max_score", "status")


def event_for(version: int, graded: bool) -> str:
    if not graded:
        return "grade.failed"
    return "grade.final" if version <= 1 else "grade.updated"


def result_payload(
    delivery_id: str,
    platform_id: str,
    submission: Mapping[str, Any],
    assignment: Mapping[str, Any],
    version: int,
    report: StoredReport | None,
    graded_at: str | None,
    error: str | None,
) -> dict[str, Any]:
    """The JSON body of one delivery; ``report`` is the stored grade report, None for a failure."""
    grade = None if report is None else grade_of(version, report, graded_at)
    return {
        "delivery_id": delivery_id,
        "event": event_for(version, report is not None),
        "platform": platform_id,
        "submission": {
            "id": submission["id"],
            "external_id": submission.get("external_id"),
            "learner": submission["learner"],
            "sha256": submission["sha256"],
            "received_at": submission["received_at"],
            "on_time": submission["on_time"],
        },
        "assignment": {"id": assignment["id"], "course": assignment["course"], "name": assignment["name"]},
        "grade": grade,
        "error": error,
    }


def grade_of(version: int, report: StoredReport, graded_at: str | None) -> dict[str, Any]:
    """The ``grade`` of a delivery: each value as the report stored it (a report that predates
    lateness is on time with full credit, as every reader takes it)."""
    return {
        "version": version,
        "score": report.score,
        "max_score": report.max_score,
        "raw_score": report.raw_score,
        "on_time": report.on_time,
        "late_credit": report.late_credit,
        "needs_manual_grading": bool(report.needs_manual_grading),
        "needs_review": bool(report.needs_review),
        "rubric_version": report.rubric_version,
        "cells": [cell_of(cell) for cell in report.cells],
        "graded_at": graded_at,
        "change": report.change.to_dict() if report.change is not None else None,
    }


def cell_of(cell: StoredCell) -> dict[str, Any]:
    """Only the cell's id, points and status: never its message, which can quote a hidden test."""
    return {
        "notebook": cell.notebook,
        "grade_id": cell.grade_id,
        "score": cell.score,
        "max_score": cell.max_score,
        "status": cell.status,
    }
