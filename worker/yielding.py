"""Ordinary grading steps aside while an exam's grade is in flight.

Measured behind a backlog of 500 assignment submissions on two CPUs, an exam's cells ran
two to five times slower than on an idle service even at four times the CPU weight, and
an exam lane made it worse: the work competing with the exam was not only other
sandboxes (which CPU weights reach) but the other workers, dockerd, containerd and runc
starting and removing containers (which they do not). So an ordinary grade yields at the
points where pausing costs nothing and corrupts nothing: before each cell, and before a
warm pool starts another sandbox. It waits while any exam grade is running.

Two guards keep this from hurting the grades that wait:
- the time spent waiting is not charged to the notebook's budget (``Gate.clock``), so a
  learner never loses a cell to someone else's exam;
- each grade yields ``limit`` seconds at most in all, so a stale signal (an exam worker
  killed mid-grade) or a long exam rush slows assignment grading but never stops it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from grader.execution import CellRun, Session
from grader.judging import JUDGED, Judging

POLL = 0.005  # seconds between looks at the signal while waiting


class Gate:
    """Waits while ``busy()`` says an exam is being graded, up to ``limit`` seconds in all."""

    def __init__(
        self,
        busy: Callable[[], bool],
        limit: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.busy = busy
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self.yielded = 0.0  # seconds spent waiting so far, reported in the provenance

    def wait(self) -> None:
        if self.yielded >= self.limit or not self.busy():
            return
        started = self._clock()
        while self.busy():
            waited = self._clock() - started
            if self.yielded + waited >= self.limit:
                break
            self._sleep(POLL)
        self.yielded += self._clock() - started

    def clock(self) -> float:
        """The grade's own clock: wall time minus the time it gave to exams."""
        return self._clock() - self.yielded


class YieldingSession:
    """A ``Session`` that passes the gate before each cell; everything else goes straight through."""

    def __init__(self, inner: Session, gate: Gate) -> None:
        self.inner = inner
        self.gate = gate

    def guard(self, modules: Sequence[str], judging: Judging = JUDGED) -> None:
        self.inner.guard(modules, judging)

    def put_files(self, files: Mapping[str, bytes], judge: bool = True) -> None:
        self.inner.put_files(files, judge)

    def run_cell(self, code: str, timeout: float, attest: bool = False, define: str = "") -> CellRun:
        self.gate.wait()
        return self.inner.run_cell(code, timeout, attest, define)

    def run_test(self, code: str, timeout: float) -> CellRun:
        self.gate.wait()
        return self.inner.run_test(code, timeout)

    def restart(self) -> None:
        self.inner.restart()
