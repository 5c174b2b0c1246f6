"""Reading JSON bodies (web/json_body.py): anything but a JSON object of printable fields is a BadInput naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from grader.errors import BadInput
from web.forms import MAX_NAME_LENGTH
from web.json_body import MAX_REASON, json_object, name_field, reason_field, string_list


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "not valid JSON"),
        (b"{'single': 'quotes'}", "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'"text"', "JSON object"),
        (b"null", "JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"n": ' + b"9" * 5000 + b"}", "not valid JSON"),  # past Python's digit limit
        (b'{"name": "\\ud800"}', "lone surrogate"),
    ],
)
def test_a_body_that_is_not_a_json_object_of_text_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        json_object(raw)


def test_the_request_body_is_read_when_no_raw_bytes_are_given() -> None:
    with Flask(__name__).test_request_context(data=b'{"course": "ds101"}', method="POST"):
        assert json_object() == {"course": "ds101"}
    with Flask(__name__).test_request_context(data=b"[]", method="POST"), pytest.raises(BadInput):
        json_object()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "needs a non-empty string 'course'"),
        ({"course": ""}, "needs a non-empty string 'course'"),
        ({"course": 7}, "must be a string"),
        ({"course": ["ds101"]}, "must be a string"),
        ({"course": "   "}, "1 to 200 characters"),
        ({"course": "x" * (MAX_NAME_LENGTH + 1)}, "1 to 200 characters"),
        ({"course": "ds\x00101"}, "control characters"),
        ({"course": "ds101\n"}, None),  # stripped: a trailing newline is no control character left inside
    ],
)
def test_a_name_field_is_a_short_printable_string(body: dict[str, Any], message: str | None) -> None:
    if message is None:
        assert name_field(body, "course") == "ds101"
        return
    with pytest.raises(BadInput, match=message):
        name_field(body, "course")


def test_an_optional_name_field_may_be_absent_but_not_wrong() -> None:
    assert name_field({}, "learner", required=False) is None
    assert name_field({"learner": ""}, "learner", required=False) is None
    with pytest.raises(BadInput):
        name_field({"learner": 1}, "learner", required=False)


@pytest.mark.parametrize(
    "value", [None, "ds101", [], ["ds101", ""], ["ds101", 3], ["ds\x07101"], {"ds101": True}]
)
def test_a_string_list_is_a_non_empty_list_of_printable_strings(value: Any) -> None:
    with pytest.raises(BadInput, match="courses"):
        string_list({"courses": value}, "courses")


def test_a_string_list_is_kept_stripped() -> None:
    assert string_list({"courses": [" ds101 ", "ma201"]}, "courses") == ["ds101", "ma201"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "a reason is required"),
        ({"reason": ""}, "a reason is required"),
        ({"reason": "  \n "}, "a reason is required"),
        ({"reason": 5}, "must be a string"),
        ({"reason": "x" * (MAX_REASON + 1)}, "at most 2000"),
    ],
)
def test_an_instructors_action_needs_a_reason_of_bounded_length(body: dict[str, Any], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        reason_field(body, "in the history")


def test_the_reason_says_where_it_is_kept_and_is_stored_stripped() -> None:
    with pytest.raises(BadInput, match="kept in the attempt's history"):
        reason_field({}, "in the attempt's history")
    assert reason_field({"reason": " appeal upheld \n"}, "x") == "appeal upheld"
