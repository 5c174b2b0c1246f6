"""The benchmark's workload: N submissions of the example course's ``arrays`` assignment.

A fixed mix of correct (alice), wrong (bob) and erroring (carol) notebooks, and exactly one
that times out (dave), so that every way of grading meets every kind of outcome. Every way
must give every submission the same score as stock nbgrader; ``disagreements`` counts the
ones that do not.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "examples" / "course"
SOURCE = COURSE / "assignments" / "arrays" / "arrays.ipynb"
MIX = ("alice", "bob", "carol", "alice", "bob", "alice")
CELL_TIMEOUT = 5


def submissions(count: int) -> dict[str, bytes]:
    """``count`` submissions keyed s000..; the last one is the notebook that times out."""
    learners = [MIX[i % len(MIX)] for i in range(count - 1)] + ["dave"]
    return {
        f"s{i:03d}": (COURSE / "submissions" / who / "arrays.ipynb").read_bytes()
        for i, who in enumerate(learners)
    }


@dataclass
class Outcome:
    """What one way of grading measured over the whole workload."""

    way: str
    elapsed: float  # seconds from the first submission to the last grade
    scores: dict[str, float]
    latencies: list[float] = field(default_factory=list)  # received -> stored, per submission
    overheads: list[float] = field(default_factory=list)  # latency minus the cells' own execution
    sandbox_peak_mb: float | None = None
    worker_peak_mb: float | None = None
    note: str = ""

    @property
    def per_minute(self) -> float:
        return len(self.scores) / self.elapsed * 60


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def disagreements(outcome: Outcome, reference: Mapping[str, float]) -> list[str]:
    return [s for s in reference if outcome.scores.get(s) != reference[s]]


def row(outcome: Outcome, reference: Mapping[str, float]) -> str:
    def ms(values: list[float], fraction: float | None = None) -> str:
        if not values:
            return "-"
        value = statistics.median(values) if fraction is None else percentile(values, fraction)
        return f"{value * 1000:.0f}"

    def mb(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    wrong = disagreements(outcome, reference)
    agree = "yes" if not wrong else f"NO ({len(wrong)})"
    return (
        f"| {outcome.way} | {outcome.per_minute:.1f} | {ms(outcome.latencies)} | {ms(outcome.latencies, 0.95)} "
        f"| {ms(outcome.overheads)} | {mb(outcome.sandbox_peak_mb)} | {mb(outcome.worker_peak_mb)} | {agree} |"
    )


HEADER = (
    "| way of grading | graded/min | latency median ms | latency p95 ms | overhead median ms "
    "| peak MB per sandbox | peak MB worker | scores agree |\n|---|---|---|---|---|---|---|---|"
)
