"""Gradebook statistics for the instructor's page: the score distribution and each test's pass rate.

Pure functions over stored records and report dicts (no Flask, no store), so that what the
chart shows is easy to test. Only each learner's counted submission is taken into account,
the same one the CSV gradebook exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BINS = 10
HARD = 0.5  # a test fewer than half the class passes is worth a look: a hard question or a broken test
CHART_WIDTH = 600
CHART_HEIGHT = 200
AXIS = 24  # room under the bars for the labels


@dataclass(frozen=True)
class Bar:
    """One bin of the histogram with its place in the SVG (scaled to the tallest bin)."""

    low: float
    high: float
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return f"{self.low:g}–{self.high:g}"


@dataclass(frozen=True)
class CellPassRate:
    """How one graded cell went across the class."""

    notebook: str
    grade_id: str
    points: float
    graded: int  # counted reports that ran it
    passed: int  # ... and gave it full marks
    mean_score: float | None

    @property
    def rate(self) -> float | None:
        return self.passed / self.graded if self.graded else None

    @property
    def stands_out(self) -> bool:
        return self.rate is not None and self.rate < HARD


def histogram(scores: Sequence[float], max_score: float, bins: int = BINS) -> list[Bar]:
    """``bins`` equal bins over [0, max_score]; a full score falls in the last one."""
    top = max_score if max_score > 0 else 1.0
    counts = [0] * bins
    for score in scores:
        index = min(bins - 1, max(0, int(score / top * bins)))
        counts[index] += 1
    tallest = max(counts) or 1
    width = CHART_WIDTH / bins
    plot_height = CHART_HEIGHT - AXIS
    bars = []
    for i, count in enumerate(counts):
        height = plot_height * count / tallest
        bars.append(Bar(round(top * i / bins, 2), round(top * (i + 1) / bins, 2), count,
                        x=i * width, y=plot_height - height, width=width, height=height))
    return bars


def pass_rates(rubric: Iterable[Mapping[str, Any]], reports: Iterable[Mapping[str, Any]]) -> list[CellPassRate]:
    """A row per autograded cell of the rubric, in rubric order; a cell counts as passed at full marks."""
    reports = list(reports)
    rates = []
    for cell in rubric:
        if cell.get("kind") != "test":  # manually graded cells have no pass rate
            continue
        key = (cell["notebook"], cell["grade_id"])
        results = [c for report in reports for c in report.get("cells", []) if (c["notebook"], c["grade_id"]) == key]
        scored = [c for c in results if c.get("score") is not None]
        passed = sum(1 for c in scored if c["score"] >= c["max_score"] > 0)
        mean = sum(c["score"] for c in scored) / len(scored) if scored else None
        rates.append(CellPassRate(cell["notebook"], cell["grade_id"], float(cell["points"]), len(scored), passed, mean))
    return rates
