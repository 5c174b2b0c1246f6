"""The signed result a platform receives: what it says, and which event it is.

One delivery per grade version: the first grade of a submission is ``grade.final``; a
regrade or an instructor's change adds a version and sends ``grade.updated``; a submission
that could not be graded sends ``grade.failed`` (no score: our fault is never a zero).
Hidden test content never appears: cells carry only their id, points and status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    report: Mapping[str, Any] | None,
    graded_at: str | None,
    error: str | None,
) -> dict[str, Any]:
    """The JSON body of one delivery; ``report`` is the stored grade report, None for a failure."""
    grade = None
    if report is not None:
        grade = {
            "version": version,
            "score": report["score"],
            "max_score": report["max_score"],
            "raw_score": report.get("raw_score"),
            "on_time": report.get("on_time"),
            "late_credit": report.get("late_credit"),
            "needs_manual_grading": bool(report.get("needs_manual_grading")),
            "needs_review": bool(report.get("needs_review")),
            "rubric_version": report.get("rubric_version"),
            "cells": [{name: cell.get(name) for name in CELL_FIELDS} for cell in report.get("cells", [])],
            "graded_at": graded_at,
            "change": report.get("change"),
        }
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
