"""Preparing what runs: the source's cells with the learner's answers dropped in.

The instructor's source is the trusted copy: every test cell, hidden test, locked cell and
point value comes from it. The learner's notebook only supplies the contents of answer cells
(matched by nbgrader grade_id, else by nbformat 4.5 cell id) and any cells of their own,
which run where the learner put them. Missing answers fall back to the release's starter
code, never to the source's solution. An answer whose cell type the learner changed keeps
its text under the source's type, as nbgrader restores it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader.cells import Role, grade_id_of, role_of, source_text

if TYPE_CHECKING:
    from nbformat import NotebookNode  # typing only: nbformat takes a second to import (issue 22)

ANSWER_ROLES = (Role.ANSWER, Role.MANUAL)


@dataclass(frozen=True)
class Step:
    """One code cell to execute, at ``index`` in the merged notebook."""

    index: int
    code: str
    role: Role
    grade_id: str | None
    from_learner: bool
    trusted: bool = False  # an instructor's own cell (not a test): the judge may hold some of it too


@dataclass(frozen=True)
class NotebookPlan:
    name: str
    merged: NotebookNode
    steps: tuple[Step, ...]
    answered: Mapping[str, bool] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    deleted: frozenset[str] = frozenset()  # answer cells missing from the submission (grade ids)
    flags: tuple[str, ...] = ()  # why a person should look at this notebook's grade

    @property
    def unmatched(self) -> bool:
        """No answer cell of the submission could be matched: a person grades the notebook."""
        return bool(self.flags)


def plan_notebook(
    name: str, source: NotebookNode, release: NotebookNode, learner: NotebookNode | None
) -> NotebookPlan:
    import nbformat  # here, not at the top: `import store` and `import web.app` must stay quick (issue 22)

    learner_cells = list(learner.cells) if learner is not None else []
    matches, extras, notes = _match_learner_cells(source, learner_cells)
    release_by_gid = {grade_id_of(c): c for c in release.cells if grade_id_of(c)}
    merged_cells: list[dict[str, Any]] = [_learner_cell(c) for c in extras.get(-1, [])]
    answered: dict[str, bool] = {}
    deleted: set[str] = set()
    for index, cell in enumerate(source.cells):
        gid = grade_id_of(cell)
        if role_of(cell) in ANSWER_ROLES and gid:
            stub = release_by_gid.get(gid, cell)
            answer = matches.get(index)
            if answer is None:
                deleted.add(gid)
                notes.append(
                    f"{name}: answer cell {gid!r} is missing from the submission; its starter code was run"
                )
            text = source_text(answer) if answer is not None else source_text(stub)
            answered[gid] = answer is not None and text.strip() != source_text(stub).strip()
            merged_cells.append(_answer_cell(stub, text, answer is not None))
        else:
            merged_cells.append(_trusted_cell(cell))
        merged_cells.extend(_learner_cell(c) for c in extras.get(index, []))
    merged = nbformat.v4.new_notebook(cells=merged_cells, metadata=dict(source.metadata))
    flags = _unmatched(name, learner, answered, matches)
    return NotebookPlan(name, merged, _steps(merged), answered, tuple(notes), frozenset(deleted), flags)


def _unmatched(
    name: str, learner: NotebookNode | None, answered: Mapping[str, bool], matches: Mapping[int, Any]
) -> tuple[str, ...]:
    """A submitted notebook none of whose answer cells could be found: not a grade a machine can give.

    nbgrader leaves such a notebook to a person (its grade cells are missing); the starter
    code we run instead would score it 0 with no one the wiser.
    """
    if learner is None or not answered or matches:
        return ()
    return (
        f"{name}: no cell of the submission matches an answer cell of the assignment (its nbgrader "
        "metadata and cell ids are gone), so the starter code was graded; match the learner's work by hand",
    )


def _match_learner_cells(
    source: NotebookNode, learner_cells: list[dict[str, Any]]
) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict[str, Any]]], list[str]]:
    """Map source index -> learner answer cell, and anchor index -> learner's own cells.

    Of cells sharing a grade_id, the last is the graded one and earlier copies are the
    learner's own cells, as nbgrader's DeduplicateIds does.
    """
    by_gid = {grade_id_of(c): i for i, c in enumerate(source.cells) if grade_id_of(c)}
    by_id = {c.get("id"): i for i, c in enumerate(source.cells) if c.get("id")}
    last = {grade_id_of(c): position for position, c in enumerate(learner_cells) if grade_id_of(c)}
    matches: dict[int, dict[str, Any]] = {}
    extras: dict[int, list[dict[str, Any]]] = {}
    notes: list[str] = []
    anchor = -1
    for position, cell in enumerate(learner_cells):
        gid = grade_id_of(cell)
        if gid and last[gid] != position:
            extras.setdefault(anchor, []).append(cell)
            continue
        index = by_gid.get(gid) if gid else None
        if index is None:
            index = by_id.get(cell.get("id"))
        if index is None:
            if gid:
                notes.append(f"learner cell with unknown grade_id {gid!r} was run as the learner's own cell")
            extras.setdefault(anchor, []).append(cell)
            continue
        anchor = index
        if role_of(source.cells[index]) in ANSWER_ROLES and index not in matches:
            matches[index] = cell  # of any cell type: the source's type is restored
    return matches, extras, notes


def _trusted_cell(cell: dict[str, Any]) -> dict[str, Any]:
    copy = dict(cell)
    copy["metadata"] = dict(cell.get("metadata", {}))
    if copy.get("cell_type") == "code":
        copy["outputs"] = []
        copy["execution_count"] = None
    import nbformat

    return nbformat.from_dict(copy)


def _answer_cell(stub: dict[str, Any], text: str, from_learner: bool) -> dict[str, Any]:
    cell = _trusted_cell(stub)
    cell["source"] = text
    cell["metadata"]["autograde"] = {"from_learner": from_learner}
    return cell


def _learner_cell(cell: dict[str, Any]) -> dict[str, Any]:
    """A learner's own cell: content kept, any nbgrader metadata dropped so it grades nothing."""
    import nbformat

    kind = cell.get("cell_type", "code")
    text = source_text(cell)
    new = nbformat.v4.new_code_cell(text) if kind == "code" else nbformat.v4.new_markdown_cell(text)
    new["metadata"]["autograde"] = {"from_learner": True}
    return new


def _steps(merged: NotebookNode) -> tuple[Step, ...]:
    steps = []
    for index, cell in enumerate(merged.cells):
        if cell.get("cell_type") != "code":
            continue
        from_learner = bool(cell.get("metadata", {}).get("autograde", {}).get("from_learner"))
        code, role = source_text(cell), role_of(cell)
        trusted = not from_learner and role not in (Role.TEST, *ANSWER_ROLES)
        steps.append(Step(index, code, role, grade_id_of(cell), from_learner, trusted))
    return tuple(steps)
