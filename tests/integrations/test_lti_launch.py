"""The id_token rules on their own: times on the caller's clock, with the leeway, and roles."""

from __future__ import annotations

from typing import Any

import pytest

from grader.errors import Forbidden, InvalidLaunch
from integrations.lti_launch import check_times, line_item_of, our_role

NOW = 2_000_000_000


@pytest.mark.parametrize(
    ("exp", "iat", "ok"),
    [
        (NOW + 1, NOW, True),
        (NOW - 59, NOW, True),  # inside the 60 s leeway
        (NOW - 60, NOW, False),
        (NOW + 300, NOW + 60, True),
        (NOW + 300, NOW + 61, False),
        ("soon", NOW, False),
        (True, NOW, False),
        (NOW + 300, None, False),
    ],
)
def test_exp_and_iat_are_judged_with_the_leeway(exp: Any, iat: Any, ok: bool) -> None:
    claims = {"exp": exp, "iat": iat}
    if ok:
        check_times(claims, NOW, 60)
    else:
        with pytest.raises(InvalidLaunch):
            check_times(claims, NOW, 60)


def test_staff_roles_are_instructors_learners_learners_and_others_refused() -> None:
    base = "http://purl.imsglobal.org/vocab/lis/v2/membership"
    assert our_role([f"{base}#Learner", f"{base}#Instructor"]) == "instructor"
    assert our_role([f"{base}/Instructor#TeachingAssistant"]) == "instructor"
    assert our_role(["Learner"]) == "learner"
    with pytest.raises(Forbidden):
        our_role(
            [f"{base}#Mentor", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"]
        )


def test_a_line_item_is_kept_only_with_the_score_scope() -> None:
    score = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    assert line_item_of({"lineitem": "https://lms/li/1", "scope": [score]}) == "https://lms/li/1"
    assert line_item_of({"lineitem": "https://lms/li/1", "scope": []}) is None
    assert line_item_of({"lineitem": "javascript:alert(1)", "scope": [score]}) is None
    assert line_item_of(None) is None
