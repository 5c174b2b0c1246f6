"""Rendering a question: values appear as Python literals, code still compiles, nothing is guessed."""

from __future__ import annotations

import ast
import math

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_bank.rendering import literal
from exam_bank.variants import render_question
from grader.errors import InvalidExam
from tests.builders import make_answer_cell, make_notebook, make_test_cell, to_bytes

TEMPLATE = to_bytes(
    make_notebook(
        nbformat.v4.new_markdown_cell("Find the capital of {{ country }} to {{digits}} digits."),
        make_answer_cell("answer", "def square_of_n():\n    return {{ n }} ** 2"),
        make_test_cell(
            "check",
            "assert square_of_n() == ({{ n }}) * ({{ n }})\nassert {{ strict }} is True\nRATE = {{ rate }}",
        ),
    )
)
PARAMS = {"country": "Côte d'Ivoire", "digits": 3, "n": -3, "strict": True, "rate": 0.25}


def rendered_cells(data: bytes) -> list[str]:
    return [cell.source for cell in nbformat.reads(data.decode(), as_version=4).cells]


def test_values_appear_as_python_literals_in_every_cell() -> None:
    markdown, answer, test = rendered_cells(render_question(TEMPLATE, PARAMS))
    assert markdown == 'Find the capital of "Côte d\'Ivoire" to 3 digits.'
    assert "return (-3) ** 2" in answer
    assert "assert True is True" in test and "RATE = 0.25" in test


def test_rendered_code_still_runs_as_python_with_the_intended_meaning() -> None:
    _, answer, test = rendered_cells(render_question(TEMPLATE, PARAMS))
    namespace: dict[str, object] = {}
    exec(
        compile(answer.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), "answer", "exec"),
        namespace,
    )
    exec(compile(test, "test", "exec"), namespace)  # a negative n squared is 9, not -9
    assert namespace["RATE"] == 0.25


def test_the_rendered_notebook_is_valid_nbformat() -> None:
    notebook = nbformat.reads(render_question(TEMPLATE, PARAMS).decode(), as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[2].metadata["nbgrader"]["points"] == 1


def test_an_unknown_placeholder_is_refused_naming_it_and_its_cell() -> None:
    params = {key: value for key, value in PARAMS.items() if key != "rate"}
    with pytest.raises(
        InvalidExam,
        match=r"^q\.ipynb, cell 3 \(grade_id 'check'\): unknown placeholder \{\{ rate \}\} \(parameters: country, digits, n, strict\)",
    ):
        render_question(TEMPLATE, params, name="q.ipynb")


def test_a_value_that_looks_like_a_placeholder_is_not_rendered_again() -> None:
    data = to_bytes(make_notebook(make_test_cell("t", "a = {{ x }}\nb = {{ y }}")))
    assert rendered_cells(render_question(data, {"x": "{{ y }}", "y": 1}))[0] == "a = '{{ y }}'\nb = 1"


def test_text_that_is_not_a_notebook_is_refused_naming_the_file() -> None:
    with pytest.raises(InvalidExam, match=r"^q\.ipynb: not a JSON document"):
        render_question(b"{{ n }}", {"n": 1}, name="q.ipynb")


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
)


@given(value=scalars)
def test_every_scalar_is_written_as_a_literal_that_reads_back_as_itself(value: object) -> None:
    text = literal(value)
    back = ast.literal_eval(text)
    assert back == value and type(back) is type(value)
    if isinstance(value, float) and isinstance(back, float):
        assert math.copysign(1, back) == math.copysign(1, value)  # -0.0 stays -0.0
    compile(f"x = {text} ** 2 if isinstance({text}, int) else {text}", "cell", "exec")
