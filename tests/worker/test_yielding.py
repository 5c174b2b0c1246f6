"""Ordinary grades step aside for running exams: the gate, the signal, and a real grade."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from grader.execution import CellRun
from grader.judging import JUDGED, Judging
from tests.conftest import REDIS_URL
from tests.worker.test_tasks import install, stored_submission
from worker import context
from worker.tasks import grade_submission
from worker.yielding import Gate, YieldingSession


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def busy_for(clock: FakeClock, until: float) -> Any:
    return lambda: clock.now < until


def test_the_gate_waits_while_an_exam_runs_and_its_clock_leaves_the_wait_out() -> None:
    clock = FakeClock()
    gate = Gate(busy_for(clock, 100.3), limit=5.0, clock=clock, sleep=clock.sleep)
    gate.wait()
    assert clock.now == pytest.approx(100.3, abs=0.01)
    assert gate.yielded == pytest.approx(0.3, abs=0.01)
    assert gate.clock() == pytest.approx(100.0, abs=0.01)  # the grade's own clock did not move


def test_the_gate_gives_way_for_at_most_its_limit_in_all() -> None:
    clock = FakeClock()
    gate = Gate(lambda: True, limit=1.0, clock=clock, sleep=clock.sleep)  # a stale mark that never clears
    gate.wait()
    gate.wait()
    gate.wait()
    assert gate.yielded == pytest.approx(1.0, abs=0.01)
    assert clock.now == pytest.approx(101.0, abs=0.01)


def test_the_gate_does_not_wait_when_nothing_runs() -> None:
    clock = FakeClock()
    gate = Gate(lambda: False, limit=5.0, clock=clock, sleep=clock.sleep)
    gate.wait()
    assert gate.yielded == 0.0 and clock.now == 100.0


class RecordingSession:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def guard(self, modules: Sequence[str], judging: Judging = JUDGED) -> None:
        self.calls.append(f"guard:{judging.mode}")

    def put_files(self, files: Mapping[str, bytes], judge: bool = True) -> None:
        self.calls.append("put_files")

    def run_cell(self, code: str, timeout: float, attest: bool = False, define: str = "") -> CellRun:
        self.calls.append(f"run:{code}:{timeout}:{attest}:{define}")
        return CellRun("ok")

    def run_test(self, code: str, timeout: float) -> CellRun:
        self.calls.append(f"test:{code}:{timeout}")
        return CellRun("ok")

    def restart(self) -> None:
        self.calls.append("restart")


def test_a_yielding_session_passes_the_gate_before_each_cell_only() -> None:
    looks: list[int] = []
    inner = RecordingSession()
    session = YieldingSession(inner, Gate(lambda: bool(looks.append(1)), limit=5.0))
    session.guard(["numpy"], Judging("in-process"))
    session.put_files({"a": b"1"})
    assert session.run_cell("1 + 1", 3.0, attest=True, define="x = 1").status == "ok"
    assert session.run_test("assert True", 2.0).status == "ok"
    session.restart()
    assert inner.calls == [
        "guard:in-process",
        "put_files",
        "run:1 + 1:3.0:True:x = 1",
        "test:assert True:2.0",
        "restart",
    ]
    assert looks == [1, 1]


@pytest.mark.docker
def test_an_assignment_grade_yields_to_a_running_exam_without_losing_budget(
    tmp_path: Path, docker_client: Any, redis_conn: Any
) -> None:
    """A mark held for 4.5 s against a 3 s notebook budget: charged to the grade, nothing would run."""
    store = install(
        tmp_path, redis_url=REDIS_URL, queue_prefix="yield-job", warm_pool_size=0, notebook_timeout=3
    )
    sid = stored_submission(store)
    signal = context.current().exams_in_flight
    redis_conn.zadd(signal.key, {"an-exam": time.time() + 4.5})
    result = grade_submission(sid)
    assert result["score"] == 9.0
    report = store.latest_report(sid)
    assert report is not None
    timings = report.provenance["timings"]
    assert 3.0 < timings["yielded_to_exams"] <= 5.0, timings  # longer than the whole budget


@pytest.mark.docker
def test_an_exam_grade_marks_itself_and_never_waits(
    tmp_path: Path, docker_client: Any, redis_conn: Any
) -> None:
    store = install(tmp_path, redis_url=REDIS_URL, queue_prefix="yield-exam", warm_pool_size=0)
    homework = stored_submission(store)
    first = store.get_submission(homework)
    exam = store.add_submission(
        first.assignment_id,
        "bob",
        "arrays.ipynb",
        store.submission_content(homework),
        datetime.now(UTC),
        True,
        1.0,
        priority="exams",
    ).id
    signal = context.current().exams_in_flight
    redis_conn.zadd(signal.key, {"another-exam": time.time() + 30})  # exams never yield to exams
    seen: list[bool] = []
    original = signal.grading

    def spying(submission_id: str) -> Any:
        seen.append(submission_id == exam)
        return original(submission_id)

    signal.grading = spying  # type: ignore[method-assign]
    grade_submission(exam)
    report = store.latest_report(exam)
    assert report is not None and report.provenance["timings"]["yielded_to_exams"] == 0.0
    assert seen == [True]
    assert redis_conn.zscore(signal.key, exam) is None  # cleared once stored
