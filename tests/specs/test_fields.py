"""Typed fields read out of a decoded spec: each refusal names the file and the field path."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from grader.errors import InvalidSpec
from specs.fields import (
    MAX_EXACT,
    Problems,
    Where,
    describe,
    read_bool,
    read_choice,
    read_int,
    read_list,
    read_mapping,
    read_number,
    read_text,
    read_time,
)

HERE = Where("exam.yaml").key("pools").index(1).key("draw")


def test_a_place_reads_as_file_then_json_path() -> None:
    assert str(Where("spec.yaml")) == "spec.yaml"
    assert str(HERE) == "exam.yaml: pools[1].draw"
    assert (
        str(Where("spec.yaml").key("pools").index(1).key("draw").error("bad"))
        == "spec.yaml: pools[1].draw: bad"
    )


def test_a_mapping_reports_every_unknown_and_missing_key_at_once() -> None:
    with pytest.raises(InvalidSpec) as caught:
        read_mapping({"grace_second": 1, "zzz": 2}, Where("e.yaml"), {"grace_seconds", "title"}, ("title",))
    assert caught.value.problems == (
        "e.yaml: unknown key 'grace_second' (did you mean 'grace_seconds'?)",
        "e.yaml: unknown key 'zzz' (expected one of: grace_seconds, title)",
        "e.yaml: the required key 'title' is missing",
    )


def test_a_mapping_with_any_keys_allowed_and_a_non_mapping() -> None:
    assert read_mapping({"x": 1}, Where("e.yaml"), None) == {"x": 1}
    with pytest.raises(InvalidSpec, match=r"^e\.yaml: must be a mapping of keys to values, not a list$"):
        read_mapping([1], Where("e.yaml"), None)


@pytest.mark.parametrize(("value", "message"), [("a", "must be a list, not 'a'"), ([], "must not be empty")])
def test_a_list_must_be_a_non_empty_list(value: object, message: str) -> None:
    with pytest.raises(InvalidSpec, match=rf"^exam\.yaml: pools\[1\]\.draw: {message}$"):
        read_list(value, HERE)


@pytest.mark.parametrize(
    ("value", "message"), [(123, "must be a string"), (True, "must be a string"), ("  ", "blank")]
)
def test_text_must_be_a_non_blank_string(value: object, message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        read_text(value, HERE)
    assert read_text("ok", HERE) == "ok"


def test_a_bool_is_only_true_or_false() -> None:
    assert read_bool(False, HERE) is False
    with pytest.raises(InvalidSpec, match="must be true or false, not 'yes'"):
        read_bool("yes", HERE)


@pytest.mark.parametrize(
    ("value", "message"),
    [(True, "whole number"), (1.0, "whole number"), (-1, "at least 0, not -1"), (11, "at most 10")],
)
def test_an_int_is_whole_not_bool_and_within_bounds(value: object, message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        read_int(value, HERE, 0, 10)
    assert read_int(10, HERE, 0, 10) == 10


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "finite number"),
        (float("nan"), "finite number"),
        (float("inf"), "finite number"),
        (MAX_EXACT + 1, "too large"),
        (-MAX_EXACT - 1, "too large"),
        ("1", "finite number"),
    ],
)
def test_a_number_is_finite_not_bool_and_exact_as_a_float(value: object, message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        read_number(value, HERE)
    assert read_number(MAX_EXACT, HERE) == MAX_EXACT and read_number(0.5, HERE) == 0.5


def test_a_time_needs_a_timezone_and_comes_back_in_utc() -> None:
    read = read_time("2026-03-01T10:00:00+02:00", HERE)
    assert read == datetime(2026, 3, 1, 8, tzinfo=UTC) and read.tzinfo is UTC and read.hour == 8
    assert read_time(datetime(2026, 3, 1, 8, tzinfo=UTC), HERE).tzinfo is UTC
    with pytest.raises(InvalidSpec, match="has no timezone"):
        read_time("2026-03-01T10:00:00", HERE)
    with pytest.raises(InvalidSpec, match="a date without a time"):
        read_time(date(2026, 3, 1), HERE)
    with pytest.raises(InvalidSpec, match="not an ISO 8601 date and time"):
        read_time("next tuesday", HERE)


def test_a_value_is_described_without_printing_a_huge_container() -> None:
    bomb: list[object] = [[0] * 1000] * 1000  # what a YAML alias bomb decodes to
    assert describe(bomb) == "a list" and describe({"a": bomb}) == "a mapping"
    assert describe("x" * 500) == repr("x" * 500)[:57] + "..." and len(describe("x" * 500)) == 60


def test_problems_from_independent_parts_are_all_reported() -> None:
    problems = Problems()
    assert problems.check(read_int, 5, HERE, 0) == 5
    assert problems.check(read_bool, "no", HERE) is None
    assert problems.check(read_mapping, {"a": 1, "b": 2}, Where("e.yaml"), ()) is None
    with pytest.raises(InvalidSpec) as caught:
        problems.raise_if_any()
    assert len(caught.value.problems) == 3
    Problems().raise_if_any()  # nothing found, nothing raised


def test_a_choice_is_one_of_its_words_exactly() -> None:
    assert read_choice("best", HERE, ("best", "latest")) == "best"
    for wrong, message in (
        ("Best", "'Best' is not one of best, latest"),
        (1, "must be a string"),
        ("", "blank"),
    ):
        with pytest.raises(InvalidSpec, match=message):
            read_choice(wrong, HERE, ("best", "latest"))
