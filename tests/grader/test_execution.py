"""Running a plan's steps through a session: each once, in order, within the budget; after a lost
kernel the clean history is replayed and execution carries on."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import nbformat

from grader.cells import Role
from grader.execution import Budget, CellRun, execute_plan, run_step
from grader.judging import JUDGED, Judging
from grader.prepare import NotebookPlan, Step
from tests.builders import FakeSession

IN_PROCESS = Judging(mode="in-process")
BUDGET = Budget(cell_timeout=5, notebook_timeout=60)


def plan(*steps: tuple[str, Role, bool]) -> NotebookPlan:
    made = tuple(
        Step(index, code, role, None, role is Role.ANSWER, trusted)
        for index, (code, role, trusted) in enumerate(steps)
    )
    return NotebookPlan("hw.ipynb", nbformat.v4.new_notebook(), made)


def ticking(step: float = 1.0) -> Callable[[], float]:
    counter = itertools.count()
    return lambda: next(counter) * step


STEPS = plan(("import math", Role.PLAIN, True), ("x = 1", Role.ANSWER, False), ("assert x", Role.TEST, False))


def test_each_step_runs_once_in_order_and_tests_go_to_the_judge() -> None:
    session = FakeSession()
    result = execute_plan(STEPS, session, BUDGET, ticking())
    assert session.calls == ["import math", "x = 1", "assert x"] and session.tests == ["assert x"]
    assert session.defined == ["import math"]  # the judge holds the instructor's definitions
    assert sorted(result.runs) == [0, 1, 2] and not result.events and result.replays == 0


def test_in_process_tests_run_attested_in_the_kernel_and_the_judge_holds_nothing() -> None:
    session = FakeSession()
    result = execute_plan(STEPS, session, BUDGET, ticking(), IN_PROCESS)
    assert session.tests == [] and session.defined == []
    assert result.runs[2].attestation == "verified"


def test_a_dead_kernel_skips_its_cell_and_replays_only_what_ran_cleanly() -> None:
    runs = {"boom": CellRun("dead"), "bad = 1/0": CellRun("error")}
    session = FakeSession(behaviour=lambda code: runs.get(code, CellRun("ok")))
    steps = plan(
        ("a = 1", Role.ANSWER, False),
        ("bad = 1/0", Role.ANSWER, False),
        ("assert a", Role.TEST, False),
        ("boom", Role.ANSWER, False),
        ("b = 2", Role.ANSWER, False),
    )
    result = execute_plan(steps, session, BUDGET, ticking())
    assert session.calls == ["a = 1", "bad = 1/0", "assert a", "boom", "a = 1", "b = 2"]
    assert result.replays == 1 and "cell 4" in result.events[0] and "the kernel died" in result.events[0]
    assert result.runs[4].status == "ok"


def test_a_failing_replay_stops_the_notebook() -> None:
    seen: list[str] = []

    def behaviour(code: str) -> CellRun:
        seen.append(code)
        replaying = code == "a = 1" and seen.count(code) > 1
        return CellRun("dead") if code == "boom" or replaying else CellRun("ok")

    steps = plan(("a = 1", Role.ANSWER, False), ("boom", Role.ANSWER, False), ("c = 3", Role.ANSWER, False))
    result = execute_plan(steps, FakeSession(behaviour=behaviour), BUDGET, ticking())
    assert seen == ["a = 1", "boom", "a = 1"] and 2 not in result.runs
    assert "restoring the kernel failed at cell 1 (dead)" in result.events[-1]


def test_a_lost_sandbox_stops_the_notebook_and_asks_for_review() -> None:
    session = FakeSession(
        behaviour=lambda code: CellRun("lost", detail="no reply") if code == "x = 1" else CellRun("ok")
    )
    result = execute_plan(STEPS, session, BUDGET, ticking())
    assert sorted(result.runs) == [0, 1] and result.flags == result.events
    assert "stopped answering in cell 2 (no reply)" in result.flags[0]


def test_the_notebook_budget_stops_the_rest_and_bounds_each_cell() -> None:
    seen: list[float] = []

    class Timed(FakeSession):
        def run_cell(self, code: str, timeout: float, attest: bool = False, define: str = "") -> CellRun:
            seen.append(timeout)
            return super().run_cell(code, timeout, attest, define)

    result = execute_plan(STEPS, Timed(), Budget(cell_timeout=3, notebook_timeout=5.5), ticking(2.0))
    assert seen == [3, 1.5] and 2 not in result.runs  # the second cell cut to what was left, no third
    assert "time limit of 5.5 s ran out" in result.events[0]


def test_instructor_cells_give_the_judge_all_their_code_when_the_assignment_asks() -> None:
    session = FakeSession()
    step = Step(0, "x = 1\nprint(x)", Role.PLAIN, None, False, True)
    run_step(session, step, 5, Judging(instructor_cells="all"))
    run_step(session, step, 5, JUDGED)
    assert session.defined == ["x = 1\nprint(x)", "x = 1"]
