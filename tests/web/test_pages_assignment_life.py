"""An assignment's life on the pages: staff change its terms (preview, then confirm), read its
history, retire it and run an assignment-wide regrade; learners see a retired one closed."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.notebook_builders import learner_bytes
from tests.web.pages_client import log_in, post_form

ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture
def retired(client: FlaskClient, assignment: dict[str, Any], instructor: dict[str, str]) -> dict[str, Any]:
    reply = client.post(f"/api/v1/assignments/{assignment['id']}/retire", headers=instructor, json={"reason": "old"})
    assert reply.status_code == 200, reply.json
    return assignment


def test_a_learner_sees_a_retired_assignment_closed_with_no_form_to_submit(
    client: FlaskClient, people: None, retired: dict[str, Any]
) -> None:
    log_in(client, "alice")
    page = client.get(f"/learn/assignments/{retired['id']}").get_data(as_text=True)
    assert "no longer takes submissions" in page and 'id="submit-form"' not in page
    assert "closed" in client.get("/learn/").get_data(as_text=True)


def test_work_sent_to_a_retired_assignment_from_a_page_is_refused_beside_the_file_field(
    client: FlaskClient, people: None, retired: dict[str, Any], store: Store
) -> None:
    log_in(client, "alice")
    page = f"/learn/assignments/{retired['id']}"
    reply = post_form(client, "/learn/", page, (learner_bytes(), "hw.ipynb"))
    assert reply.status_code == 422
    assert 'id="err-file"' in reply.get_data(as_text=True) and "retired" in reply.get_data(as_text=True)
    assert store.list_submissions(assignment_id=retired["id"]) == []
