"""Parameters: the values each may take, read from the spec with every mistake named, and drawn
the same way from the same seed on every Python."""

from __future__ import annotations

import random

import pytest

from exam_bank.params import Choices, Range, read_params, read_scalar
from grader.errors import InvalidSpec
from specs.fields import MAX_EXACT, Where

HERE = Where("exam.yaml").key("pools").index(0).key("params")


def test_choices_and_ranges_are_read() -> None:
    params = read_params(
        {"n": {"range": [1, 6]}, "x": {"range": [0, 1], "step": 0.1}, "unit": {"choices": ["m", "km", None]}},
        HERE,
    )
    assert params == {"n": Range(1, 6), "x": Range(0, 1, 0.1), "unit": Choices(("m", "km", None))}
    assert params["n"].sample() == 1 and params["unit"].sample() == "m"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"1st": {"range": [1, 2]}}, "'1st' is not a parameter name"),
        ({"x-y": {"range": [1, 2]}}, "is not a parameter name"),
        ({"n": {"choices": [1], "range": [1, 2]}}, r"params\.n: give either 'choices' or 'range'"),
        ({"n": {"step": 1}}, "needs 'choices'"),
        ({"n": {"range": [3, 3]}}, r"params\.n\.range: low 3 must be below high 3"),
        ({"n": {"range": [1]}}, "must be a list of two numbers"),
        ({"n": {"range": [-1e308, 1e308]}}, "too wide to draw from"),
        ({"n": {"range": [0, 1], "step": 0}}, r"params\.n\.step: must be above 0"),
        ({"n": {"range": [0, 1], "step": 2}}, "wider than the range"),
        ({"n": {"range": [0, MAX_EXACT], "step": 0.5}}, "more than 2\\*\\*53 values"),
        ({"n": {"choices": [[1, 2]]}}, r"params\.n\.choices\[0\]: must be a string, number"),
        ({"n": {"choices": [float("nan")]}}, "not a finite number"),
        ({"n": {"choices": []}}, "must not be empty"),
        ({"n": {"range": [0, 1], "stepp": 1}}, "unknown key 'stepp'"),
    ],
)
def test_every_mistake_in_a_parameter_is_refused_by_name(spec: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        read_params(spec, HERE)


def test_a_decimal_step_draws_the_number_as_written() -> None:
    drawn = {Range(0, 1, 0.1).draw(random.Random(seed)) for seed in range(200)}
    assert drawn == {round(i / 10, 1) for i in range(11)}
    assert all(len(repr(value)) <= 3 for value in drawn)  # 0.3, never 0.30000000000000004


def test_whole_bounds_draw_ints_and_a_float_bound_draws_floats() -> None:
    assert {Range(1, 3).draw(random.Random(seed)) for seed in range(100)} == {1, 2, 3}
    assert all(type(Range(1, 3).draw(random.Random(seed))) is int for seed in range(20))
    value = Range(1.0, 2.0).draw(random.Random(1))
    assert type(value) is float and 1.0 <= value <= 2.0


def test_a_draw_for_a_stored_seed_never_changes() -> None:
    """Pinned: a variant redrawn after an upgrade must be the one the learner saw."""
    rng = random.Random("exam-7:alice")
    drawn = [Range(1, 100).draw(rng), Choices(("a", "b", "c")).draw(rng), Range(0, 1, 0.25).draw(rng)]
    assert drawn + [Range(0.0, 1.0).draw(rng)] == [64, "b", 0.75, 0.6392155230202242]


@pytest.mark.parametrize("value", ["x", 1, 1.5, True, None])
def test_a_scalar_is_one_whose_repr_is_a_python_literal(value: object) -> None:
    assert read_scalar(value, HERE) == value
