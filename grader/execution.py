"""Running a plan's cells through a sandbox session, and keeping what ran after a crash.

The session is the only way out of the core: a ``Session`` protocol with three methods,
implemented by the Docker adapter in ``sandboxes/`` and by in-memory fakes in tests.

When the kernel dies (out of memory, ``os._exit``, a signal) or must be restarted after a
cell ignores an interrupt, the cells that already ran keep their results; the session's
fresh kernel is brought back to the same state by replaying the earlier cells that ran
cleanly, and execution carries on after the cell that crashed. The notebook's time budget
covers replays too; whatever cannot run within it is recorded as not run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from grader.cells import Role
from grader.definitions import definitions_of, plain_python
from grader.judging import JUDGED, Judging
from grader.prepare import NotebookPlan, Step

RunStatus = Literal["ok", "error", "timeout", "timeout_restarted", "dead", "not_run", "lost"]
# What the kernel's audit hook said about a test cell (see sandboxes/agent/attest.py).
Attestation = Literal[
    "verified", "error", "forged", "tampered", "missing", "unverifiable", "not_run", "refused"
]
KERNEL_LOST = ("dead", "timeout_restarted")


@dataclass(frozen=True)
class CellRun:
    """What happened when one cell ran: the raw material that scoring judges."""

    status: RunStatus
    outputs: tuple[dict[str, Any], ...] = ()
    duration: float = 0.0
    truncated: bool = False
    detail: str = ""
    attestation: Attestation | None = None
    attestation_detail: str = ""

    @property
    def kernel_lost(self) -> bool:
        return self.status in KERNEL_LOST


NOT_RUN = CellRun("not_run")


class Session(Protocol):
    """One submission's sandbox: a kernel that runs cells, used once and then destroyed."""

    def guard(self, modules: Sequence[str], judging: Judging = JUDGED) -> None:
        """Ready these libraries for the tests (in the judge, or snapshotted in-process) before learner code."""
        ...

    def put_files(self, files: Mapping[str, bytes], judge: bool = True) -> None:
        """Write files into the learner's directory; ``judge``: the instructor's, copied to the judge too."""
        ...

    def run_cell(self, code: str, timeout: float, attest: bool = False, define: str = "") -> CellRun:
        """Run a cell in the learner's kernel; ``define``: what the judge holds of it too."""
        ...

    def run_test(self, code: str, timeout: float) -> CellRun:
        """Run a test cell in the judge, which asks the learner's kernel for values by value."""
        ...

    def restart(self) -> None: ...


@dataclass(frozen=True)
class Budget:
    """Wall-clock limits: per cell and for the whole notebook, replays included."""

    cell_timeout: float
    notebook_timeout: float


@dataclass
class Execution:
    runs: dict[int, CellRun] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # reasons for an instructor to review
    replays: int = 0


def execute_plan(
    plan: NotebookPlan,
    session: Session,
    budget: Budget,
    clock: Callable[[], float],
    judging: Judging = JUDGED,
) -> Execution:
    """Run each step once, in order; replay clean history after a lost kernel."""
    deadline = clock() + budget.notebook_timeout
    result = Execution()
    clean: list[Step] = []
    for step in plan.steps:
        remaining = deadline - clock()
        if remaining <= 0:
            result.events.append(
                f"{plan.name}: the notebook's time limit of {budget.notebook_timeout:g} s ran out"
            )
            break
        run = run_step(session, step, min(budget.cell_timeout, remaining), judging)
        result.runs[step.index] = run
        if run.status == "lost":
            message = f"{plan.name}: the sandbox stopped answering in cell {step.index + 1} ({run.detail})"
            result.events.append(message)
            result.flags.append(message)
            break
        if run.kernel_lost:
            result.events.append(describe_crash(plan.name, step, run))
            if not _replay(clean, session, budget, deadline, clock, result, judging):
                break
        elif run.status == "ok" and not (step.role is Role.TEST and judging.in_judge):
            clean.append(step)  # judged tests never ran in the kernel: nothing of them to restore
    return result


def _replay(
    clean: Sequence[Step],
    session: Session,
    budget: Budget,
    deadline: float,
    clock: Callable[[], float],
    result: Execution,
    judging: Judging,
) -> bool:
    """Bring a fresh kernel back to the state of the cells that ran cleanly before."""
    result.replays += 1
    for step in clean:
        remaining = deadline - clock()
        if remaining <= 0:
            result.events.append("the notebook's time limit ran out while restoring the kernel")
            return False
        run = session.run_cell(
            step.code, min(budget.cell_timeout, remaining), define=_definitions(step, judging)
        )
        if run.status != "ok":
            result.events.append(
                f"restoring the kernel failed at cell {step.index + 1} ({run.status}); later cells were not run"
            )
            return False
    return True


def run_step(session: Session, step: Step, timeout: float, judging: Judging) -> CellRun:
    """A test in the judge (or attested in-process); any other cell in the learner's kernel."""
    if step.role is Role.TEST:
        return (
            session.run_test(step.code, timeout)
            if judging.in_judge
            else session.run_cell(step.code, timeout, True)
        )
    return session.run_cell(step.code, timeout, define=_definitions(step, judging))


def _definitions(step: Step, judging: Judging) -> str:
    """What the judge runs of an instructor's cell: its definitions, or all of it if the assignment asks."""
    if not (step.trusted and judging.in_judge):
        return ""
    return plain_python(step.code) if judging.instructor_cells == "all" else definitions_of(step.code)


def describe_crash(name: str, step: Step, run: CellRun) -> str:
    what = run.detail or ("the kernel died" if run.status == "dead" else "the cell ignored the interrupt")
    return f"{name}: {what} in cell {step.index + 1}; that cell was skipped and the cells before it were restored"
