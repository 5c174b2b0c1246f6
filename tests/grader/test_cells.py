"""A cell's role, grade id and points come from its nbgrader metadata, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from grader.cells import (
    Role,
    grade_id_of,
    has_hidden_tests,
    points_of,
    role_of,
    source_text,
    strip_hidden_tests,
)


def cell(cell_type: str = "code", **meta: Any) -> dict[str, Any]:
    return {"cell_type": cell_type, "source": "", "metadata": {"nbgrader": meta} if meta else {}}


@pytest.mark.parametrize(
    ("made", "role"),
    [
        (cell(solution=True), Role.ANSWER),
        (cell(grade=True, solution=True), Role.MANUAL),
        (cell(grade=True), Role.TEST),
        (cell("markdown", grade=True), Role.MANUAL),  # a graded markdown cell is a person's to grade
        (cell("markdown", task=True, grade=True, solution=True), Role.TASK),  # task outranks the flags
        (cell(locked=True), Role.LOCKED),
        (cell(), Role.PLAIN),
        (cell(grade=False, solution=False), Role.PLAIN),
    ],
)
def test_nbgraders_flags_collapse_to_one_role(made: dict[str, Any], role: Role) -> None:
    assert role_of(made) is role


@pytest.mark.parametrize("meta", ["grade", ["grade"], 1, None])
def test_metadata_that_is_not_a_mapping_makes_a_plain_cell(meta: object) -> None:
    assert role_of({"cell_type": "code", "metadata": {"nbgrader": meta}}) is Role.PLAIN


@pytest.mark.parametrize(("value", "found"), [("q1", "q1"), ("", None), (7, None), (None, None)])
def test_a_grade_id_is_a_non_empty_string_or_none(value: object, found: str | None) -> None:
    assert grade_id_of(cell(grade=True, grade_id=value)) == found


def test_points_default_to_zero_and_read_as_float() -> None:
    assert points_of(cell(grade=True)) == 0.0
    assert points_of(cell(grade=True, points="2.5")) == 2.5


def test_source_is_text_whether_stored_as_lines_or_one_string() -> None:
    assert source_text({"source": ["a = 1\n", "b = 2"]}) == "a = 1\nb = 2"
    assert source_text({"source": "a = 1"}) == "a = 1" and source_text({}) == ""


def test_hidden_regions_are_stripped_whole_and_only_them() -> None:
    text = (
        "assert f(1) == 1\n"
        "  ### BEGIN HIDDEN TESTS\nassert f(2) == 4\n  ### END HIDDEN TESTS\n"
        "assert f(3) == 9\n"
        "### BEGIN HIDDEN TESTS\nassert f(5) == 25\n### END HIDDEN TESTS"
    )
    assert has_hidden_tests({"source": text})
    assert strip_hidden_tests(text) == "assert f(1) == 1\nassert f(3) == 9\n"
    assert not has_hidden_tests({"source": strip_hidden_tests(text)})
