"""Validating sources: every metadata problem is refused with the cell named."""

from __future__ import annotations

import pytest

from grader.assignment import build_assignment, keep_notebook_name
from grader.cells import strip_hidden_tests
from grader.errors import InvalidAssignment, InvalidNotebook
from grader.notebooks import parse_notebook
from tests.builders import make_answer_cell, make_manual_cell, make_notebook, make_test_cell, to_bytes

HIDDEN = "assert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS\n"


def source(*cells):  # type: ignore[no-untyped-def]
    return {"hw.ipynb": to_bytes(make_notebook(*cells))}


def test_rubric_comes_from_source_points() -> None:
    assignment = build_assignment(
        source(
            make_answer_cell("a", "def f(x): return x*x"),
            make_test_cell("t", HIDDEN, 3),
            make_manual_cell("m"),
        )
    )
    assert [(c.grade_id, c.points) for c in assignment.rubric.cells] == [("t", 3.0), ("m", 2.0)]
    assert assignment.rubric.max_score == 5.0


def test_release_has_stubs_and_no_hidden_tests() -> None:
    assignment = build_assignment(source(make_answer_cell("a", "SECRET = 42"), make_test_cell("t", HIDDEN)))
    release = assignment.releases["hw.ipynb"]
    text = "".join(cell.source for cell in release.cells)
    assert "SECRET" not in text and "f(2) == 4" not in text
    assert "raise NotImplementedError" in text


def test_duplicate_grade_ids_name_the_cell() -> None:
    with pytest.raises(InvalidAssignment, match=r"cell 2 \(grade_id 't'\): duplicate grade_id"):
        build_assignment(source(make_test_cell("t"), make_test_cell("t")))


def test_test_cell_without_points_is_refused() -> None:
    with pytest.raises(InvalidAssignment, match=r"cell 1 \(grade_id 't'\): graded cell without points"):
        build_assignment(source(make_test_cell("t", points=None)))


def test_unknown_schema_version_is_refused() -> None:
    cell = make_test_cell("t")
    cell.metadata.nbgrader["schema_version"] = 99
    with pytest.raises(InvalidAssignment, match="unknown nbgrader schema_version 99"):
        build_assignment(source(cell))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"not json", "not a JSON document"),
        (b'{"a": 1}', "not a Jupyter notebook"),
        (b'{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}', "nbformat 3"),
    ],
)
def test_bad_notebook_bytes_are_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(InvalidNotebook, match=message):
        parse_notebook(data, "x.ipynb")


def test_strip_hidden_tests_keeps_visible_part() -> None:
    assert strip_hidden_tests(HIDDEN) == "assert f(1) == 1\n"


def test_a_one_notebook_fix_takes_the_assignments_notebook_name_and_keeps_its_data() -> None:
    fixed = keep_notebook_name({"hw-v2.ipynb": b"nb", "data.csv": b"a,b"}, ["hw.ipynb"])
    assert fixed == {"hw.ipynb": b"nb", "data.csv": b"a,b"}


@pytest.mark.parametrize(
    ("sent", "notebooks"),
    [
        ({"a.ipynb": b"1", "b.ipynb": b"2"}, ["a.ipynb"]),
        ({"c.ipynb": b"1"}, ["a.ipynb", "b.ipynb"]),
        ({"a.ipynb": b"1"}, ["a.ipynb"]),
    ],
)
def test_names_are_left_as_sent_unless_one_notebook_replaces_one(
    sent: dict[str, bytes], notebooks: list[str]
) -> None:
    assert keep_notebook_name(sent, notebooks) == sent
