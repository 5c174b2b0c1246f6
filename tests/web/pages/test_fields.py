"""Form errors beside their field (web/pages/fields.py): the person's mistakes are kept by field, everything else still raises."""

from __future__ import annotations

import math

import pytest

from grader.errors import (
    AutogradeError,
    BadInput,
    Conflict,
    Forbidden,
    InfrastructureError,
    InvalidExam,
    NotFound,
    StorageError,
    Unauthenticated,
    WrongAccessCode,
)
from web.pages.fields import FieldErrors, parse_number


def failing(exc: Exception) -> object:
    def step() -> None:
        raise exc

    return step


def test_a_step_that_succeeds_returns_its_value_and_records_nothing() -> None:
    errors = FieldErrors()
    assert errors.check("score", lambda: 2.5) == 2.5
    assert not errors and errors.messages == {}


@pytest.mark.parametrize("exc", [BadInput("score must be at most 2"), Conflict("already retired")])
def test_the_persons_mistake_is_kept_under_its_field(exc: AutogradeError) -> None:
    errors = FieldErrors()
    assert errors.check("score", failing(exc)) is None  # type: ignore[arg-type]
    assert errors and errors.messages == {"score": exc.message}


@pytest.mark.parametrize(
    "exc",
    [
        Forbidden("not your course"),
        NotFound("no such submission"),
        Unauthenticated("log in"),
        InfrastructureError("the database is down"),
        StorageError("disk full"),
        ValueError("a bug"),
    ],
)
def test_a_refusal_a_missing_record_a_lost_login_or_a_fault_is_not_a_field_error(exc: Exception) -> None:
    errors = FieldErrors()
    with pytest.raises(type(exc)):
        errors.check("score", failing(exc))  # type: ignore[arg-type]
    assert not errors


def test_a_refusal_is_kept_by_its_field_only_where_the_field_can_earn_one() -> None:
    errors = FieldErrors()
    assert errors.check("code", failing(WrongAccessCode("wrong access code")), refusals=True) is None  # type: ignore[arg-type]
    assert errors.messages == {"code": "wrong access code"}
    with pytest.raises(NotFound):
        errors.check("code", failing(NotFound("no such exam")), refusals=True)  # type: ignore[arg-type]


def test_the_first_problem_of_a_field_is_shown_and_every_problem_of_a_spec_is_kept() -> None:
    errors = FieldErrors()
    problems = ("exam.yaml: time_limit_minutes must be positive", "q2.ipynb: not a notebook")
    errors.check("spec", failing(InvalidExam("2 problems", problems)))  # type: ignore[arg-type]
    errors.check("spec", failing(BadInput("later")))  # type: ignore[arg-type]
    assert errors.messages == {"spec": "2 problems"} and errors.problems == {"spec": list(problems)}


@pytest.mark.parametrize("raw", ["", None, "   ", "one", "1,5", "0x10", "1.5.2"])
def test_a_number_field_that_is_no_number_is_refused_naming_the_field(raw: str | None) -> None:
    with pytest.raises(BadInput, match="the multiplier must be a number"):
        parse_number(raw, "the multiplier")


def test_a_number_field_is_read_with_its_spaces_stripped() -> None:
    assert parse_number(" 1.5 ", "x") == 1.5 and parse_number("-2", "x") == -2.0
    assert math.isinf(parse_number("1e999", "x"))  # a range is the caller's to check (e.g. accommodations)
