"""Exams need explicit course membership: a learner with no course list reaches no course's exams (issue 18)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.api.test_exams import exam  # noqa: F401  (the fixture: "final" in ds101)
from tests.web.pages_client import log_in, post_form

Token = Callable[..., dict[str, str]]


@pytest.mark.parametrize("courses", [None, ["ds999"]], ids=["no course list", "another course"])
def test_a_learner_outside_the_course_cannot_list_read_or_start_its_exams(
    client: FlaskClient,
    exam: dict[str, Any],
    token: Token,
    courses: list[str] | None,
) -> None:
    outsider = token("learner", "eve", courses)
    assert client.get("/api/v1/exams?course=ds101", headers=outsider).status_code == 403
    assert client.get(f"/api/v1/exams/{exam['id']}", headers=outsider).status_code == 403
    assert client.get(f"/api/v1/exams/{exam['id']}/attempts", headers=outsider).status_code == 403
    started = client.post(f"/api/v1/exams/{exam['id']}/attempts", headers=outsider, json={})
    assert (started.status_code, started.json["error"]) == (403, "forbidden")


def test_a_member_of_the_course_starts_its_exam(
    client: FlaskClient, exam: dict[str, Any], token: Token
) -> None:
    member = token("learner", "carol", ["ds101"])
    assert client.post(f"/api/v1/exams/{exam['id']}/attempts", headers=member, json={}).status_code == 201


def test_the_exam_page_of_a_learner_with_no_course_list_shows_no_exam(
    client: FlaskClient,
    exam: dict[str, Any],
    store: Store,
) -> None:
    store.create_account("learner", "eve", "correct horse", None)
    log_in(client, "eve")
    assert "Final exam" not in client.get("/learn/exams").get_data(as_text=True)
    assert post_form(client, "/learn/", f"/learn/exams/{exam['id']}/start").status_code == 403
    assert store.list_attempts(exam_id=exam["id"]) == []
