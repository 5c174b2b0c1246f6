"""Gradebook statistics for the instructor's page: the score distribution and each test's pass rate.

Pure functions over stored records and report dicts (no Flask, no store), so that what the
chart shows is easy to test. Only each learner's counted submission is taken into account,
the same one the CSV gradebook exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader.stored_report import StoredReport

BINS = 10
HARD = 0.5  # a test fewer than half the class passes is worth a look: a hard question or a broken test
CHART_WIDTH = 600
CHART_HEIGHT = 200
AXIS = 24  # room under the bars for the labels
HEADROOM = 18  # room above the tallest bar for its count
MAX_WHOLE_BARS = 20  # up to this many points, one bar per point


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
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}–{self.high:g}"


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


def histogram(scores: Sequence[float], max_score: float, bins: int | None = None) -> list[Bar]:
    """A bar per whole point (0 .. max) when the maximum is a small whole number, else ``BINS`` equal bins.

    With equal bins over [0, max_score] a full score falls in the last one.
    """
    top = max_score if max_score > 0 else 1.0
    whole = bins is None and top == int(top) and top <= MAX_WHOLE_BARS
    count_of_bins = int(top) + 1 if whole else (bins or BINS)
    step = 1.0 if whole else top / count_of_bins
    counts = [0] * count_of_bins
    for score in scores:
        counts[min(count_of_bins - 1, max(0, int(score / step)))] += 1
    tallest = max(counts) or 1
    width = CHART_WIDTH / count_of_bins
    plot_height = CHART_HEIGHT - AXIS - HEADROOM
    bars = []
    for i, count in enumerate(counts):
        height = plot_height * count / tallest
        high = i * step if whole else (i + 1) * step
        bars.append(
            Bar(
                round(i * step, 2),
                round(high, 2),
                count,
                x=i * width,
                y=HEADROOM + plot_height - height,
                width=width,
                height=height,
            )
        )
    return bars


def pass_rates(rubric: Iterable[Mapping[str, Any]], reports: Iterable[StoredReport]) -> list[CellPassRate]:
    """A row per autograded cell of the rubric, in rubric order; a cell counts as passed at full marks."""
    reports = list(reports)
    rates = []
    for cell in rubric:
        if cell.get("kind") != "test":  # manually graded cells have no pass rate
            continue
        key = (cell["notebook"], cell["grade_id"])
        scored = [c for report in reports for c in report.cells if c.key == key and c.score is not None]
        passed = sum(1 for c in scored if (c.score or 0) >= c.max_score > 0)
        mean = sum(c.score or 0 for c in scored) / len(scored) if scored else None
        rates.append(
            CellPassRate(cell["notebook"], cell["grade_id"], float(cell["points"]), len(scored), passed, mean)
        )
    return rates
