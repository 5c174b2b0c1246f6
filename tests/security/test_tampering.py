"""Tampering with the notebook: tests, points and metadata always come from the source."""

from __future__ import annotations

import pytest

from grader.cells import grade_id_of
from grader.notebooks import copy_notebook, dump_notebook
from tests.security.conftest import RIGHT, WRONG, Grader, square_assignment

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def tampered_copy(answer: str, edit, assignment=None) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """The release of ``assignment`` (a fresh one, with other cell ids, if none) as a learner edited it."""
    assignment = assignment or square_assignment()
    nb = copy_notebook(assignment.releases["hw.ipynb"])
    for cell in nb.cells:
        if grade_id_of(cell) == "square":
            cell.source = answer
    edit(nb)
    return {"hw.ipynb": dump_notebook(nb)}


def test_emptied_tests_and_inflated_points_change_nothing(grader: Grader) -> None:
    def edit(nb) -> None:  # type: ignore[no-untyped-def]
        for cell in nb.cells:
            if grade_id_of(cell) in ("visible", "hidden"):
                cell.source = "pass"
                cell.metadata.nbgrader["points"] = 1000

    outcome = grader.grade(square_assignment(), tampered_copy(WRONG, edit))
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}
    assert outcome.report.max_score == 3.0


def test_deleted_test_cells_still_run_from_the_source(grader: Grader) -> None:
    def edit(nb) -> None:  # type: ignore[no-untyped-def]
        nb.cells = [c for c in nb.cells if grade_id_of(c) not in ("visible", "hidden")]

    outcome = grader.grade(square_assignment(), tampered_copy(WRONG, edit))
    assert outcome.scores == {"visible": 0.0, "hidden": 0.0}


def test_stripped_metadata_still_earns_the_points_by_cell_id(grader: Grader) -> None:
    def edit(nb) -> None:  # type: ignore[no-untyped-def]
        for cell in nb.cells:
            cell.metadata.pop("nbgrader", None)

    assignment = square_assignment()  # the same cell ids in the source and the learner's copy
    outcome = grader.grade(assignment, tampered_copy(RIGHT, edit, assignment))
    assert outcome.scores == {"visible": 1.0, "hidden": 2.0}
    assert not outcome.report.flags


def test_stripped_metadata_and_foreign_cell_ids_go_to_a_person(grader: Grader) -> None:
    """Nothing of the submission matches: nbgrader leaves it to a person, and so do we, flagged."""

    def edit(nb) -> None:  # type: ignore[no-untyped-def]
        for cell in nb.cells:
            cell.metadata.pop("nbgrader", None)

    outcome = grader.grade(square_assignment(), tampered_copy(RIGHT, edit))
    assert outcome.scores == {"visible": None, "hidden": None}
    assert outcome.report.needs_review and outcome.report.flags


def test_an_unmatched_answer_is_reported_clearly(grader: Grader) -> None:
    def edit(nb) -> None:  # type: ignore[no-untyped-def]
        for cell in nb.cells:
            cell.metadata.pop("nbgrader", None)
            cell["id"] = f"renamed-{cell['id']}"

    outcome = grader.grade(square_assignment(), tampered_copy(RIGHT, edit))
    assert any("answer cell 'square' is missing" in event for event in outcome.report.events)
