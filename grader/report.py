"""The grade report: per-cell results, totals, late credit and what happened on the way."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from grader.scoring import CellResult


@dataclass(frozen=True)
class GradeReport:
    cells: tuple[CellResult, ...]
    max_score: float
    rubric_version: str
    events: tuple[str, ...] = ()
    on_time: bool = True
    late_credit: float = 1.0
    flags: tuple[str, ...] = ()
    judge: str = "judge"  # "in-process" for an assignment that chose it, and for grades made before the judge

    @property
    def raw_score(self) -> float:
        """Points earned by autograded and already graded cells, before late credit."""
        return round(sum(c.score for c in self.cells if c.score is not None), 6)

    @property
    def score(self) -> float:
        return round(self.raw_score * self.late_credit, 6)

    @property
    def needs_review(self) -> bool:
        """Something abnormal happened (tampering, a lost sandbox): a person should look."""
        return bool(self.flags) or any(c.review for c in self.cells)

    @property
    def needs_manual_grading(self) -> bool:
        return any(c.status == "needs_manual_grading" for c in self.cells)

    def with_lateness(self, on_time: bool, credit: float) -> GradeReport:
        return replace(self, on_time=on_time, late_credit=credit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "raw_score": self.raw_score,
            "max_score": self.max_score,
            "on_time": self.on_time,
            "late_credit": self.late_credit,
            "needs_manual_grading": self.needs_manual_grading,
            "needs_review": self.needs_review,
            "rubric_version": self.rubric_version,
            "judge": self.judge,
            "events": list(self.events),
            "flags": list(self.flags),
            "cells": [c.to_dict() for c in self.cells],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        cells = tuple(
            CellResult(
                c["notebook"],
                c["grade_id"],
                c["score"],
                c["max_score"],
                c["status"],
                c.get("message", ""),
                c.get("review", ""),
            )
            for c in data["cells"]
        )
        return cls(
            cells=cells,
            max_score=data["max_score"],
            rubric_version=data["rubric_version"],
            events=tuple(data.get("events", ())),
            on_time=data.get("on_time", True),
            late_credit=data.get("late_credit", 1.0),
            flags=tuple(data.get("flags", ())),
            judge=data.get("judge", "in-process"),
        )
