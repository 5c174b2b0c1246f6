"""The two spec settings that decide an exam's LMS score, read from the spec text alone."""

from __future__ import annotations

import pytest

from exam_bank.lms_rules import LmsRules, lms_rules
from grader.errors import InvalidSpec


def test_the_defaults_count_proctored_attempts_and_send_the_best() -> None:
    assert lms_rules("exam.yaml", "title: Midterm\npools: []\n") == LmsRules(True, "best")


def test_both_settings_are_read_from_yaml_or_json() -> None:
    assert lms_rules("exam.yaml", "requires_proctoring: false\nlms_score: latest\n") == LmsRules(
        False, "latest"
    )
    assert lms_rules("exam.json", '{"lms_score": "best", "requires_proctoring": true}') == LmsRules(
        True, "best"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lms_score: highest\n", r"exam\.yaml: lms_score: "),
        ("requires_proctoring: 'yes'\n", r"exam\.yaml: requires_proctoring: must be true or false"),
        ("- a list\n", r"exam\.yaml: must be a mapping"),
        ("a: 1\na: 2\n", "appears twice"),
    ],
)
def test_a_bad_setting_or_spec_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidSpec, match=message):
        lms_rules("exam.yaml", text)
