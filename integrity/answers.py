"""A submission's answers, one per graded answer cell, with the instructor's own text taken out.

Why per cell: two learners' notebooks share the whole release (prose, tests, helpers), so
comparing files compares mostly the instructor. The answers are matched to the assignment
the way the grader matches them (nbgrader grade id, else cell id: ``grader.prepare``), an
answer left as its starter code is no answer, outputs are never read, and markdown answers
are kept apart from code so prose is compared with prose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.assignment import Assignment
from grader.cells import grade_id_of, role_of, source_text, strip_hidden_tests
from grader.prepare import ANSWER_ROLES, plan_notebook
from integrity.normalise import Token, code_tokens, prose_tokens
from integrity.winnow import kgram_prints, statement_prints

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

CODE = "code"
TEXT = "markdown"


@dataclass(frozen=True)
class Answer:
    """What a learner wrote in one answer cell; ``key`` is ``notebook::grade_id``."""

    key: str
    kind: str
    text: str


@dataclass(frozen=True)
class Template:
    """Every k-gram the instructor wrote (release stubs, prose, tests, helpers), per kind."""

    code: frozenset[int]
    prose: frozenset[int]

    def of(self, kind: str) -> frozenset[int]:
        return self.code if kind == CODE else self.prose


def tokens_of(kind: str, text: str) -> list[Token]:
    return code_tokens(text) if kind == CODE else prose_tokens(text)


def answers_of(assignment: Assignment, notebooks: Mapping[str, NotebookNode | None]) -> list[Answer]:
    """The answers the learner changed from their starter code, in notebook and cell order."""
    found = []
    for name in assignment.notebook_names:
        plan = plan_notebook(name, assignment.sources[name], assignment.releases[name], notebooks.get(name))
        for cell in plan.merged.cells:
            gid = grade_id_of(cell)
            if gid and role_of(cell) in ANSWER_ROLES and plan.answered.get(gid):
                kind = CODE if cell.get("cell_type") == "code" else TEXT
                found.append(Answer(f"{name}::{gid}", kind, source_text(cell)))
    return found


def answer_keys(assignment: Assignment) -> list[str]:
    """Every answer cell's key: two assignments with the same keys ask the same questions."""
    return [
        f"{name}::{grade_id_of(cell)}"
        for name in assignment.notebook_names
        for cell in assignment.sources[name].cells
        if grade_id_of(cell) and role_of(cell) in ANSWER_ROLES
    ]


def template_of(assignment: Assignment) -> Template:
    """The instructor's text a learner may legitimately repeat: the release and the trusted cells."""
    code: set[int] = set()
    prose: set[int] = set()
    for name in assignment.notebook_names:
        for cell in _instructor_cells(assignment, name):
            kind = CODE if cell.get("cell_type") == "code" else TEXT
            tokens = tokens_of(kind, strip_hidden_tests(source_text(cell)))
            grams = [*kgram_prints(tokens), *statement_prints(tokens)]
            (code if kind == CODE else prose).update(p.hash for p in grams)
    return Template(frozenset(code), frozenset(prose))


def _instructor_cells(assignment: Assignment, name: str) -> Iterable[NotebookNode]:
    """The release entire (starter code included), and the source's cells that are not solutions."""
    yield from assignment.releases[name].cells
    for cell in assignment.sources[name].cells:
        if role_of(cell) not in ANSWER_ROLES:
            yield cell
