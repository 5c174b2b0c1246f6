"""The one exception tree: the tree its docstring draws is the tree the classes make, and each
error keeps the stable code and fields the web and CLI answer with."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime

import grader.errors as errors
from grader.errors import AssignmentRetired, AutogradeError, InvalidSpec, RateLimited

DRAWN = re.compile(r"^ {4}([│ ]*)(?:[├└]── )?(\w+)\s", re.M)


def drawn_tree() -> dict[str, str | None]:
    """``{class: parent}`` as the module docstring draws it."""
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for match in DRAWN.finditer(errors.__doc__ or ""):
        depth = len(match.group(1)) // 4 + (1 if "──" in match.group(0) else 0)
        stack[depth:] = [match.group(2)]
        parents[match.group(2)] = stack[depth - 1] if depth else None
    return parents


def classes() -> dict[str, type[AutogradeError]]:
    return {
        name: value
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, AutogradeError)
    }


def test_the_drawn_tree_is_the_class_tree() -> None:
    drawn = drawn_tree()
    actual = {
        name: (cls.__bases__[0].__name__ if cls is not AutogradeError else None)
        for name, cls in classes().items()
    }
    assert drawn == actual


def test_every_error_has_its_own_stable_code_but_a_wrong_access_code_answers_as_forbidden() -> None:
    inheriting = {name for name, cls in classes().items() if "code" not in vars(cls)}
    assert inheriting == {"WrongAccessCode"}
    codes = [cls.code for name, cls in classes().items() if name not in inheriting]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z_]+", code) for code in codes)


def test_a_spec_error_lists_its_problems_or_its_message() -> None:
    assert InvalidSpec("one").problems == ("one",)
    joined = InvalidSpec("a; b", ("a", "b"))
    assert joined.problems == ("a", "b") and joined.message == "a; b"


def test_retry_after_is_at_least_a_whole_second() -> None:
    assert RateLimited("slow down", 0).retry_after == 1
    assert RateLimited("slow down", 2.9).retry_after == 2  # type: ignore[arg-type]


def test_a_retired_assignment_names_itself_and_its_date() -> None:
    message = AssignmentRetired("hw1", datetime(2030, 3, 1, 12, 5, tzinfo=UTC)).message
    assert message.startswith("assignment 'hw1' was retired on 2030-03-01 12:05 UTC")
