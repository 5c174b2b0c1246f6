"""How an assignment's tests are judged: in the judge process (the default) or in-process.

The judge (``sandboxes/agent/judge.py``) runs test cells in a process that runs no learner
code, and takes the learner's values only by value; ``docs/threat-model.md`` says why that is
the only design that holds. Some tests cannot work that way: a test that mutates a learner
object and reads it back, or inspects a figure the learner drew. For those an instructor can
choose, per assignment, in the source notebook's metadata:

    "metadata": {"autograde": {"judge": "in-process"}}     tests run in the learner's kernel
    "metadata": {"autograde": {"proxies": true}}           learner objects reach tests by method call
    "metadata": {"autograde": {"instructor_cells": "all"}} the judge runs instructor cells in full

By default the judge runs only the definitions of the instructor's own cells (imports,
functions, classes, literal constants; ``grader/definitions.py``) and reads any other name
from the learner's process, where the learner's code may have changed it: that is what lets
a test check that a learner added a column to the instructor's DataFrame. An assignment whose
tests compute their expected values from instructor data (``assert mean(df) == df.x.mean()``)
should say ``"all"``: the judge then runs every instructor cell itself and such names are the
instructor's, whatever the learner's code did to its own copy.

In-process grades are weaker: learner code shares the interpreter with the check, so a
determined learner can forge a pass. The report says so in its ``judge`` field and an event,
and the programme record carries that event with the grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from grader.errors import InvalidAssignment

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

Mode = Literal["judge", "in-process"]
MODES: tuple[Mode, ...] = ("judge", "in-process")
WEAKER = "graded in-process: the tests shared the learner's interpreter, so this grade is weaker evidence"


InstructorCells = Literal["definitions", "all"]


@dataclass(frozen=True)
class Judging:
    mode: Mode = "judge"
    proxies: bool = False
    instructor_cells: InstructorCells = "definitions"

    @property
    def in_judge(self) -> bool:
        return self.mode == "judge"


JUDGED = Judging()


def judging_of(sources: Iterable[tuple[str, NotebookNode]]) -> Judging:
    """The assignment's choice, read from each source notebook's metadata; they must agree."""
    found = {_read(name, notebook) for name, notebook in sources}
    if len(found) > 1:
        raise InvalidAssignment("the notebooks of one assignment ask for different ways of judging its tests")
    return found.pop() if found else JUDGED


def _read(name: str, notebook: NotebookNode) -> Judging:
    settings = notebook.metadata.get("autograde", {})
    if not isinstance(settings, dict):
        raise InvalidAssignment(f"{name}: metadata.autograde must be an object")
    mode = settings.get("judge", "judge")
    if mode not in MODES:
        raise InvalidAssignment(
            f"{name}: metadata.autograde.judge must be one of {', '.join(MODES)}, not {mode!r}"
        )
    proxies = settings.get("proxies", False)
    if not isinstance(proxies, bool):
        raise InvalidAssignment(f"{name}: metadata.autograde.proxies must be true or false")
    cells = settings.get("instructor_cells", "definitions")
    if cells not in ("definitions", "all"):
        raise InvalidAssignment(
            f"{name}: metadata.autograde.instructor_cells must be definitions or all, not {cells!r}"
        )
    return Judging(mode, proxies, cells)
